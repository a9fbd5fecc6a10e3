package io.datastorage.server.web;

import io.datastorage.core.audit.AuditLimits;
import io.datastorage.core.audit.Timestamps;
import io.datastorage.core.store.AuditPosition;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

/**
 * The {@code cursor} of a listing: the position where the next page starts, the time window of
 * the first page, and a fingerprint of the filters the listing was asked with.
 *
 * <p>Clients treat it as opaque. It is base64url (no padding) of a small binary record: a version
 * byte, the position ({@code createdAt} as seconds and nanoseconds, the id), which window bounds
 * follow, the bounds, the filter fingerprint, then a check: the first 8 bytes of SHA-256 over a
 * fixed label and everything before it.
 *
 * <p>Why a check and not a secret: a cursor must work after a restart and on any replica, so any
 * key would have to be configured and shared; and a cursor grants nothing. It only says where to
 * resume a listing whose filters the client sends again with every request, so a forged cursor can
 * show no record that the same filters without a cursor would not. The check turns a cursor that
 * was truncated, mangled or edited by hand into a clear 400 instead of a silently wrong page; the
 * fingerprint turns a cursor reused with other filters into a 400 instead of a page of another
 * listing. Decoding still validates every value, since anyone can compute the check.
 *
 * <p>The window is carried because {@code since=24h} means "24 hours before the first page": later
 * pages keep that bound, so the end of a long walk does not lose records to a moving window.
 */
record ListingCursor(AuditPosition position, Instant since, Instant until, long filters) {
    private static final byte VERSION = 1;
    private static final byte HAS_SINCE = 1;
    private static final byte HAS_UNTIL = 2;
    private static final byte[] CHECK_LABEL = "datastorage listing cursor\0".getBytes(StandardCharsets.US_ASCII);
    private static final int CHECK_BYTES = 8;
    private static final int INSTANT_BYTES = Long.BYTES + Integer.BYTES;
    /** Longer than any cursor this class writes. */
    static final int MAX_TEXT_LENGTH = 128;

    /** The cursor was not written by this service, or was changed since. */
    static final class InvalidCursorException extends Exception {
        InvalidCursorException(String message) {
            super(message);
        }
    }

    String encode() {
        ByteBuffer buffer = ByteBuffer.allocate(1 + INSTANT_BYTES + 16 + 1 + 2 * INSTANT_BYTES + Long.BYTES + CHECK_BYTES);
        buffer.put(VERSION);
        putInstant(buffer, position.createdAt());
        buffer.putLong(position.id().getMostSignificantBits()).putLong(position.id().getLeastSignificantBits());
        buffer.put((byte) ((since == null ? 0 : HAS_SINCE) | (until == null ? 0 : HAS_UNTIL)));
        if (since != null) {
            putInstant(buffer, since);
        }
        if (until != null) {
            putInstant(buffer, until);
        }
        buffer.putLong(filters);
        byte[] content = Arrays.copyOf(buffer.array(), buffer.position());
        byte[] bytes = Arrays.copyOf(content, content.length + CHECK_BYTES);
        System.arraycopy(check(content), 0, bytes, content.length, CHECK_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static ListingCursor decode(String text) throws InvalidCursorException {
        if (text.isEmpty() || text.length() > MAX_TEXT_LENGTH) {
            throw new InvalidCursorException("is not a cursor of this service; pass nextCursor exactly as received");
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidCursorException("is not a cursor of this service (not base64url); "
                    + "pass nextCursor exactly as received");
        }
        if (bytes.length <= 1 + CHECK_BYTES
                || !MessageDigest.isEqual(check(Arrays.copyOf(bytes, bytes.length - CHECK_BYTES)),
                Arrays.copyOfRange(bytes, bytes.length - CHECK_BYTES, bytes.length))) {
            throw new InvalidCursorException("is damaged or was altered (its check does not match); "
                    + "pass nextCursor exactly as received");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, bytes.length - CHECK_BYTES);
        try {
            if (buffer.get() != VERSION) {
                throw new InvalidCursorException("was written in a format this version does not read; start the listing over");
            }
            Instant createdAt = getInstant(buffer);
            UUID id = new UUID(buffer.getLong(), buffer.getLong());
            byte flags = buffer.get();
            Instant since = (flags & HAS_SINCE) != 0 ? getInstant(buffer) : null;
            Instant until = (flags & HAS_UNTIL) != 0 ? getInstant(buffer) : null;
            long filters = buffer.getLong();
            if (buffer.hasRemaining() || (flags & ~(HAS_SINCE | HAS_UNTIL)) != 0
                    || (since != null && until != null && since.isAfter(until))) {
                throw new InvalidCursorException("is not a cursor of this service; pass nextCursor exactly as received");
            }
            return new ListingCursor(new AuditPosition(createdAt, id), since, until, filters);
        } catch (BufferUnderflowException e) {
            throw new InvalidCursorException("is truncated; pass nextCursor exactly as received");
        }
    }

    private static void putInstant(ByteBuffer buffer, Instant instant) {
        buffer.putLong(instant.getEpochSecond()).putInt(instant.getNano());
    }

    private static Instant getInstant(ByteBuffer buffer) throws InvalidCursorException {
        long seconds = buffer.getLong();
        int nanos = buffer.getInt();
        if (nanos < 0 || nanos > 999_999_999 || seconds < AuditLimits.MIN_TIMESTAMP.getEpochSecond()
                || seconds > AuditLimits.MAX_TIMESTAMP.getEpochSecond()) {
            throw new InvalidCursorException("holds a time outside 1970..9999; pass nextCursor exactly as received");
        }
        // The service writes microseconds only; a hand-made cursor is read the same way as every other time.
        return Timestamps.toMicros(Instant.ofEpochSecond(seconds, nanos));
    }

    private static byte[] check(byte[] content) {
        MessageDigest sha256 = sha256();
        sha256.update(CHECK_LABEL);
        return Arrays.copyOf(sha256.digest(content), CHECK_BYTES);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
