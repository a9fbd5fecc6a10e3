package io.datastorage.core.migration;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link SecondaryWrite} as a {@link SecondaryWriteQueue#claim} hands it out: the write, when it
 * was first enqueued, how often it has been claimed (this claim included) and the error of the
 * previous attempt.
 *
 * <p>The entry is also the claim: {@link SecondaryWriteQueue#complete} and
 * {@link SecondaryWriteQueue#retryLater} act only while {@code claim} is still the entry's latest
 * claim, so a worker whose claim expired and was taken over by another changes nothing (nor when
 * the entry was completed and the same write enqueued again meanwhile).
 *
 * <p>Both times are the queue's clock (the database's for PostgreSQL), never a replica's, so
 * {@link #age()} means the same on every replica, whatever its clock says.
 *
 * @param enqueuedAt when the write was first enqueued (by the queue's clock)
 * @param attempt    1 for the first claim, one more for each later one
 * @param lastError  the error {@link SecondaryWriteQueue#retryLater} recorded for the previous
 *                   attempt; {@code null} before any
 * @param claim      this claim's token, new with every claim
 * @param claimedAt  when this claim was made (by the queue's clock), not before {@code enqueuedAt}
 */
public record SecondaryWriteEntry(SecondaryWrite write, Instant enqueuedAt, int attempt, String lastError, UUID claim,
                                  Instant claimedAt) {
    public SecondaryWriteEntry {
        Objects.requireNonNull(write, "write");
        Objects.requireNonNull(enqueuedAt, "enqueuedAt");
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(claimedAt, "claimedAt");
        if (attempt < 1) {
            throw new IllegalArgumentException("a claimed entry's attempt starts at 1, was " + attempt);
        }
    }

    /** How long the write had been queued when it was claimed, by the queue's clock alone. */
    public Duration age() {
        return Duration.between(enqueuedAt, claimedAt);
    }

    /** The error of the previous attempt, if one failed. */
    public Optional<String> previousError() {
        return Optional.ofNullable(lastError);
    }
}
