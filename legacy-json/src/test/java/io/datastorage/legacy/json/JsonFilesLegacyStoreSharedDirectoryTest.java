package io.datastorage.legacy.json;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyPage;
import io.datastorage.core.migration.LegacyPosition;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyRecordConflictException;
import io.datastorage.core.migration.LegacyStore.PutOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two stores on one directory, as two replicas (or a replica and another writer) share it: what one
 * adds or removes is seen by the other's next find, scan, count and put, although the other keeps
 * cached listings of the month directories.
 */
class JsonFilesLegacyStoreSharedDirectoryTest {
    private static final Instant T0 = Instant.parse("2026-11-20T11:00:00.123456Z");

    @TempDir
    Path temp;

    private static LegacyRecord record(AuditKind kind, UUID id, Instant createdAt, String message) {
        return new LegacyRecord(id, kind, createdAt, Map.of("message", message), null);
    }

    private static LegacyRecord record(AuditKind kind, Instant createdAt) {
        return record(kind, UUID.randomUUID(), createdAt, "m");
    }

    /** Dates a directory back, as a month no one has written to for an hour, so its listing is cached. */
    private static void ageDirectory(Path directory) throws IOException {
        Files.setLastModifiedTime(directory, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    }

    private static List<LegacyRecord> scanAll(JsonFilesLegacyStore store, AuditKind kind, int pageSize) {
        List<LegacyRecord> all = new ArrayList<>();
        Optional<LegacyPosition> after = Optional.empty();
        do {
            LegacyPage page = store.scan(kind, after, pageSize);
            all.addAll(page.records());
            after = page.next();
        } while (after.isPresent());
        return all;
    }

    @Test
    void aFileAnotherWriterAddsToACachedMonthIsSeenAtOnceByFindScanCountAndPut() throws IOException {
        Path dir = temp.resolve("shared");
        JsonFilesLegacyStore replicaA = JsonFilesLegacyStore.open(dir);
        JsonFilesLegacyStore replicaB = JsonFilesLegacyStore.open(dir);
        LegacyRecord first = record(AuditKind.REMEDIATION, T0);
        replicaA.put(first);
        Path month = replicaA.fileOf(first).getParent();
        ageDirectory(month);
        // A caches the month's listing through every kind of call.
        assertThat(replicaA.find(AuditKind.REMEDIATION, first.id())).contains(first);
        assertThat(scanAll(replicaA, AuditKind.REMEDIATION, 1)).containsExactly(first);
        assertThat(replicaA.count(AuditKind.REMEDIATION)).isEqualTo(1);
        assertThat(replicaA.listing(month)).isSameAs(replicaA.listing(month)); // cached

        LegacyRecord second = record(AuditKind.REMEDIATION, T0.plusSeconds(1));
        assertThat(replicaB.put(second)).isEqualTo(PutOutcome.CREATED);

        assertThat(replicaA.find(AuditKind.REMEDIATION, second.id())).contains(second);
        assertThat(scanAll(replicaA, AuditKind.REMEDIATION, 1)).containsExactly(first, second);
        assertThat(replicaA.scan(AuditKind.REMEDIATION, Optional.of(new LegacyPosition(first.createdAt(),
                first.id().toString())), 10).records()).containsExactly(second);
        assertThat(replicaA.count(AuditKind.REMEDIATION)).isEqualTo(2);
        assertThat(replicaA.put(second)).isEqualTo(PutOutcome.UNCHANGED);
        LegacyRecord altered = record(AuditKind.REMEDIATION, second.id(), second.createdAt(), "other");
        assertThatThrownBy(() -> replicaA.put(altered)).isInstanceOf(LegacyRecordConflictException.class);
    }

    @Test
    void anIdAnotherWriterStoresUnderAnotherKindIsRefusedAtOnceByAPut() throws IOException {
        Path dir = temp.resolve("other-kind");
        JsonFilesLegacyStore replicaA = JsonFilesLegacyStore.open(dir);
        JsonFilesLegacyStore replicaB = JsonFilesLegacyStore.open(dir);
        LegacyRecord workflow = record(AuditKind.WORKFLOW, T0);
        replicaA.put(workflow);
        Path month = replicaA.fileOf(workflow).getParent();
        ageDirectory(month);
        replicaA.put(record(AuditKind.REMEDIATION, T0)); // lists, and caches, the workflow month
        assertThat(replicaA.listing(month)).isSameAs(replicaA.listing(month));

        LegacyRecord elsewhere = record(AuditKind.WORKFLOW, T0.plusSeconds(5));
        replicaB.put(elsewhere);

        LegacyRecord sameIdOtherKind = record(AuditKind.REMEDIATION, elsewhere.id(), T0.plusSeconds(5), "m");
        assertThatThrownBy(() -> replicaA.put(sameIdOtherKind)).isInstanceOf(LegacyRecordConflictException.class);
    }

    @Test
    void aFileAnotherWriterRemovesFromACachedMonthIsGoneAtOnceForFindScanCountAndPut() throws IOException {
        Path dir = temp.resolve("removed");
        JsonFilesLegacyStore replicaA = JsonFilesLegacyStore.open(dir);
        JsonFilesLegacyStore replicaB = JsonFilesLegacyStore.open(dir);
        LegacyRecord kept = record(AuditKind.EXECUTION, T0);
        LegacyRecord removed = record(AuditKind.EXECUTION, T0.plusMillis(1));
        replicaA.put(kept);
        replicaA.put(removed);
        Path month = replicaA.fileOf(kept).getParent();
        ageDirectory(month);
        assertThat(replicaA.find(AuditKind.EXECUTION, removed.id())).contains(removed);
        assertThat(scanAll(replicaA, AuditKind.EXECUTION, 10)).containsExactly(kept, removed);

        assertThat(replicaB.remove(AuditKind.EXECUTION, removed.id())).isTrue();

        assertThat(replicaA.find(AuditKind.EXECUTION, removed.id())).isEmpty();
        assertThat(scanAll(replicaA, AuditKind.EXECUTION, 10)).containsExactly(kept);
        assertThat(replicaA.count(AuditKind.EXECUTION)).isEqualTo(1);
        assertThat(replicaA.remove(AuditKind.EXECUTION, removed.id())).isFalse();
        assertThat(replicaA.put(removed)).isEqualTo(PutOutcome.CREATED);
    }

    @Test
    void aMonthRecreatedWithTheSameTimeIsListedAgain() throws IOException {
        Path dir = temp.resolve("recreated");
        JsonFilesLegacyStore replicaA = JsonFilesLegacyStore.open(dir);
        JsonFilesLegacyStore replicaB = JsonFilesLegacyStore.open(dir);
        LegacyRecord gone = record(AuditKind.REMEDIATION, T0);
        replicaA.put(gone);
        Path month = replicaA.fileOf(gone).getParent();
        ageDirectory(month);
        FileTime aged = Files.getLastModifiedTime(month);
        assertThat(replicaA.find(AuditKind.REMEDIATION, gone.id())).contains(gone);

        // Another writer moves the month away and writes a new one, which ends up with the same time.
        Files.move(month, month.resolveSibling("old"));
        LegacyRecord fresh = record(AuditKind.REMEDIATION, T0.plusSeconds(2));
        replicaB.put(fresh);
        Files.setLastModifiedTime(month, aged);

        assertThat(replicaA.find(AuditKind.REMEDIATION, gone.id())).isEmpty();
        assertThat(replicaA.find(AuditKind.REMEDIATION, fresh.id())).contains(fresh);
    }

    @Test
    void aChangeWithinTheSameTimestampTickAsTheListingIsNeverMissed() throws IOException {
        Path dir = temp.resolve("same-tick");
        JsonFilesLegacyStore replicaA = JsonFilesLegacyStore.open(dir);
        JsonFilesLegacyStore replicaB = JsonFilesLegacyStore.open(dir);
        LegacyRecord first = record(AuditKind.AI_ANALYSIS, T0);
        replicaA.put(first);
        Path month = replicaA.fileOf(first).getParent();
        // The directory's time is the current tick: A's listing of it must not be trusted later.
        FileTime tick = FileTime.from(Instant.now());
        Files.setLastModifiedTime(month, tick);
        assertThat(replicaA.find(AuditKind.AI_ANALYSIS, first.id())).contains(first);

        // B adds a file within the same tick: the directory's time does not move.
        LegacyRecord second = record(AuditKind.AI_ANALYSIS, T0.plusSeconds(1));
        replicaB.put(second);
        Files.setLastModifiedTime(month, tick);

        assertThat(replicaA.find(AuditKind.AI_ANALYSIS, second.id())).contains(second);
        assertThat(scanAll(replicaA, AuditKind.AI_ANALYSIS, 10)).containsExactly(first, second);
        assertThat(replicaA.count(AuditKind.AI_ANALYSIS)).isEqualTo(2);
    }

    @Test
    void aListingIsReadAgainOnlyWhenItsDirectoryChanged() throws IOException {
        Path dir = temp.resolve("unchanged");
        JsonFilesLegacyStore store = JsonFilesLegacyStore.open(dir);
        LegacyRecord first = record(AuditKind.REMEDIATION, T0);
        store.put(first);
        Path month = store.fileOf(first).getParent();
        ageDirectory(month);
        JsonFilesLegacyStore.Listing cached = store.listing(month);

        assertThat(store.find(AuditKind.REMEDIATION, first.id())).contains(first);
        assertThat(store.listing(month)).isSameAs(cached);

        store.put(record(AuditKind.REMEDIATION, T0.plusSeconds(1)));
        assertThat(store.listing(month)).isNotSameAs(cached);
        assertThat(store.listing(month).names).hasSize(2);
    }

    @Test
    void aCacheTooSmallForAMonthStillAnswersEverything() throws IOException {
        Path dir = temp.resolve("small-cache");
        JsonFilesLegacyStore store = JsonFilesLegacyStore.open(dir, 2);
        List<LegacyRecord> written = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            LegacyRecord record = record(AuditKind.WORKFLOW, T0.plusSeconds(i));
            store.put(record);
            written.add(record);
        }
        ageDirectory(store.fileOf(written.get(0)).getParent());

        for (LegacyRecord record : written) {
            assertThat(store.find(AuditKind.WORKFLOW, record.id())).contains(record);
        }
        assertThat(scanAll(store, AuditKind.WORKFLOW, 2)).containsExactlyElementsOf(written);
        assertThat(store.count(AuditKind.WORKFLOW)).isEqualTo(5);
    }
}
