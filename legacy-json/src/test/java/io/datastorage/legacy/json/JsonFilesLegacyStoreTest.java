package io.datastorage.legacy.json;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.error.Component;
import io.datastorage.core.migration.LegacyPage;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.LegacyStoreContract;
import io.datastorage.core.migration.LegacyStoreUnavailableException;
import io.datastorage.core.store.UnreadableRecordException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonFilesLegacyStoreTest extends LegacyStoreContract {
    @TempDir
    Path temp;
    private int stores;

    @Override
    protected LegacyStore newStore() {
        return JsonFilesLegacyStore.open(temp.resolve("legacy-" + ++stores));
    }

    /** A file that is not JSON any more, under its name. */
    @Override
    protected void damage(LegacyRecord record) {
        try {
            Files.writeString(((JsonFilesLegacyStore) store()).fileOf(record), "{\"id\": \"trunc");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Thrown by a step listener: the put stops there as a crash would stop it, with no clean-up. */
    static final class SimulatedCrash extends Error {
    }

    @Test
    void aRecordIsOneIndentedJsonFileInTheDocumentedLayout() throws IOException {
        Path dir = temp.resolve("layout");
        UUID id = UUID.fromString("0193a1b2-0000-7000-8000-000000000001");
        LegacyRecord written = record(AuditKind.REMEDIATION, id, T0);
        try (JsonFilesLegacyStore store = JsonFilesLegacyStore.open(dir)) {
            store.put(written);
        }

        Path file = dir.resolve("remediation/2026/11/20261120T110000.123456Z_0193a1b2-0000-7000-8000-000000000001.json");
        assertThat(file).isRegularFile();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(text).contains("\n  \"kind\" : \"remediation\"").contains("\"ratio\" : 0.10")
                .contains("123456789012345678901234567890");
        JsonNode tree = JsonMapper.builder().build().readTree(text); // what jq would read
        assertThat(tree.get("id").asString()).isEqualTo(id.toString());
        assertThat(tree.get("createdAt").asString()).isEqualTo("2026-11-20T11:00:00.123456Z");
        assertThat(tree.get("document").get("message").asString()).isEqualTo(written.document().get("message"));
        assertThat(tree.has("legacyId")).isFalse();
        try (Stream<Path> all = Files.walk(dir)) {
            assertThat(all.filter(Files::isRegularFile)).containsExactly(file);
        }
    }

    @Test
    void aLeftoverTemporaryFileIsIgnoredByReadsScansCountsAndLaterPuts() throws IOException {
        Path dir = temp.resolve("crash-before-rename");
        LegacyRecord written = record(AuditKind.WORKFLOW, T0);
        JsonFilesLegacyStore crashing = JsonFilesLegacyStore.open(dir);
        crashing.afterStep((step, file) -> {
            if (step == JsonFilesLegacyStore.Step.TEMPORARY_FILE_WRITTEN) {
                throw new SimulatedCrash();
            }
        });
        assertThatThrownBy(() -> crashing.put(written)).isInstanceOf(SimulatedCrash.class);
        Path leftover = onlyFileUnder(dir);
        assertThat(leftover.getFileName().toString()).startsWith(".").endsWith(".tmp");

        try (JsonFilesLegacyStore restarted = JsonFilesLegacyStore.open(dir)) {
            assertThat(restarted.find(AuditKind.WORKFLOW, written.id())).isEmpty();
            assertThat(restarted.scan(AuditKind.WORKFLOW, Optional.empty(), 10).records()).isEmpty();
            assertThat(restarted.count(AuditKind.WORKFLOW)).isZero();

            assertThat(restarted.put(written)).isEqualTo(LegacyStore.PutOutcome.CREATED);
            assertThat(restarted.find(AuditKind.WORKFLOW, written.id()).orElseThrow().sameContentAs(written)).isTrue();
            assertThat(restarted.count(AuditKind.WORKFLOW)).isEqualTo(1);
        }
    }

    @Test
    void aPartlyWrittenFileNeverAppearsUnderItsFinalName() throws IOException {
        Path dir = temp.resolve("crash-while-writing");
        LegacyRecord written = record(AuditKind.EXECUTION, T0);
        JsonFilesLegacyStore crashing = JsonFilesLegacyStore.open(dir);
        Path target = crashing.fileOf(written);
        crashing.afterStep((step, file) -> {
            if (step == JsonFilesLegacyStore.Step.TEMPORARY_FILE_WRITTEN) {
                // the content goes to the temporary name first: cut it short there, as a crash mid-write would
                try {
                    assertThat(target).doesNotExist();
                    byte[] whole = Files.readAllBytes(file);
                    Files.write(file, Arrays.copyOf(whole, whole.length / 2));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                throw new SimulatedCrash();
            }
        });

        assertThatThrownBy(() -> crashing.put(written)).isInstanceOf(SimulatedCrash.class);

        assertThat(target).doesNotExist();
        try (JsonFilesLegacyStore restarted = JsonFilesLegacyStore.open(dir)) {
            assertThat(restarted.find(AuditKind.EXECUTION, written.id())).isEmpty();
            assertThat(restarted.put(written)).isEqualTo(LegacyStore.PutOutcome.CREATED);
            assertThat(restarted.find(AuditKind.EXECUTION, written.id()).orElseThrow().document())
                    .isEqualTo(written.document());
        }
    }

    @Test
    void aCrashAfterTheRenameLeavesTheWholeRecord() {
        Path dir = temp.resolve("crash-after-rename");
        LegacyRecord written = record(AuditKind.REMEDIATION, T0);
        JsonFilesLegacyStore crashing = JsonFilesLegacyStore.open(dir);
        crashing.afterStep((step, file) -> {
            if (step == JsonFilesLegacyStore.Step.RENAMED) {
                throw new SimulatedCrash();
            }
        });
        assertThatThrownBy(() -> crashing.put(written)).isInstanceOf(SimulatedCrash.class);

        try (JsonFilesLegacyStore restarted = JsonFilesLegacyStore.open(dir)) {
            assertThat(restarted.find(AuditKind.REMEDIATION, written.id()).orElseThrow().sameContentAs(written)).isTrue();
            assertThat(restarted.put(written)).as("the retry after an unknown outcome").isEqualTo(LegacyStore.PutOutcome.UNCHANGED);
        }
    }

    @Test
    void aDamagedFileIsReportedByFindAndSkippedByScans() throws IOException {
        Path dir = temp.resolve("damaged");
        LegacyRecord damaged = record(AuditKind.REMEDIATION, T0);
        LegacyRecord intact = record(AuditKind.REMEDIATION, T0.plusSeconds(1));
        try (JsonFilesLegacyStore store = JsonFilesLegacyStore.open(dir)) {
            store.put(damaged);
            store.put(intact);
            Files.writeString(store.fileOf(damaged), "{\"id\": \"" + damaged.id() + "\", \"docu");

            assertThatThrownBy(() -> store.find(AuditKind.REMEDIATION, damaged.id()))
                    .isInstanceOf(UnreadableRecordException.class)
                    .satisfies(e -> assertThat(((UnreadableRecordException) e).component()).isEqualTo(Component.LEGACY_STORE));
            LegacyPage page = store.scan(AuditKind.REMEDIATION, Optional.empty(), 1);
            assertThat(page.records()).as("the damaged file counts toward the page").isEmpty();
            assertThat(store.scan(AuditKind.REMEDIATION, page.next(), 10).records())
                    .extracting(LegacyRecord::id).containsExactly(intact.id());
        }
    }

    @Test
    void aFileMovedToAnotherMonthIsUnreadableRatherThanOutOfOrder() throws IOException {
        Path dir = temp.resolve("moved");
        LegacyRecord written = record(AuditKind.WORKFLOW, T0);
        try (JsonFilesLegacyStore store = JsonFilesLegacyStore.open(dir)) {
            store.put(written);
            Path file = store.fileOf(written);
            Path elsewhere = dir.resolve("workflow/2026/12").resolve(file.getFileName().toString().replace("20261120", "20261201"));
            Files.createDirectories(elsewhere.getParent());
            Files.move(file, elsewhere);

            assertThatThrownBy(() -> store.find(AuditKind.WORKFLOW, written.id()))
                    .isInstanceOf(UnreadableRecordException.class);
        }
    }

    @Test
    void aStoreWhoseDirectoryIsGoneIsDownAndFailsTransiently() throws IOException {
        Path dir = temp.resolve("gone");
        try (JsonFilesLegacyStore store = JsonFilesLegacyStore.open(dir)) {
            Files.delete(dir);
            Files.writeString(dir, "a file where the directory was");

            assertThat(store.health().up()).isFalse();
            assertThatThrownBy(() -> store.put(record(AuditKind.REMEDIATION, T0)))
                    .isInstanceOf(LegacyStoreUnavailableException.class)
                    .hasMessageStartingWith("legacy store: ");
        }
    }

    @Test
    void temporaryFilesLeftByACrashAreDeletedWhenTheStoreOpensAndFreshOnesAreLeftAlone() throws IOException {
        Path dir = temp.resolve("stale-temporaries");
        LegacyRecord crashed = record(AuditKind.WORKFLOW, T0);
        JsonFilesLegacyStore crashing = JsonFilesLegacyStore.open(dir);
        crashing.afterStep((step, file) -> {
            if (step == JsonFilesLegacyStore.Step.TEMPORARY_FILE_WRITTEN) {
                throw new SimulatedCrash();
            }
        });
        assertThatThrownBy(() -> crashing.put(crashed)).isInstanceOf(SimulatedCrash.class);
        Path stale = onlyFileUnder(dir);
        Path staleProbe = Files.writeString(dir.resolve(".health-1f.tmp"), "{}");
        FileTime longAgo = FileTime.from(Instant.now().minus(JsonFilesLegacyStore.STALE_TEMPORARY_AGE).minusSeconds(60));
        Files.setLastModifiedTime(stale, longAgo);
        Files.setLastModifiedTime(staleProbe, longAgo);
        Path fresh = stale.resolveSibling("." + crashing.fileOf(record(AuditKind.WORKFLOW, T0)).getFileName() + ".2a.tmp");
        Files.writeString(fresh, "a put of another process, in progress");
        Path notOurs = Files.writeString(stale.resolveSibling("notes.tmp"), "not a temporary file of the store");
        Path notOursEither = Files.writeString(dir.resolve(".editor.tmp"), "nor this one");
        Files.setLastModifiedTime(notOurs, longAgo);
        Files.setLastModifiedTime(notOursEither, longAgo);

        try (JsonFilesLegacyStore reopened = JsonFilesLegacyStore.open(dir)) {
            assertThat(stale).doesNotExist();
            assertThat(staleProbe).doesNotExist();
            assertThat(fresh).exists();
            assertThat(notOurs).exists();
            assertThat(notOursEither).exists();
            assertThat(reopened.put(crashed)).isEqualTo(LegacyStore.PutOutcome.CREATED);
        }
    }

    @Test
    void aDirectoryRenamedAwayFailsEveryCallTransientlyAndServesAgainOnceItIsBack() throws IOException {
        Path dir = temp.resolve("renamed");
        Path away = temp.resolve("renamed-away");
        LegacyRecord stored = record(AuditKind.REMEDIATION, T0);
        try (JsonFilesLegacyStore store = JsonFilesLegacyStore.open(dir)) {
            store.put(stored);
            Files.move(dir, away);

            assertEveryCallFailsTransiently(store, stored);
            assertThat(store.health().up()).isFalse();
            assertThat(store.health().detail()).contains(dir.toString()).contains("missing");
            assertThat(dir).as("a put does not make an empty store where the directory was").doesNotExist();

            Files.move(away, dir);

            assertServesAgain(store, stored);
        }
    }

    @Test
    void aDirectoryReplacedByAFileFailsEveryCallTransientlyAndServesAgainOnceItIsBack() throws IOException {
        Path dir = temp.resolve("replaced");
        Path away = temp.resolve("replaced-away");
        LegacyRecord stored = record(AuditKind.EXECUTION, T0);
        try (JsonFilesLegacyStore store = JsonFilesLegacyStore.open(dir)) {
            store.put(stored);
            Files.move(dir, away);
            Files.writeString(dir, "a file where the directory was");

            assertEveryCallFailsTransiently(store, stored);
            assertThat(store.health().detail()).contains("not a directory");

            Files.delete(dir);
            Files.move(away, dir);

            assertServesAgain(store, stored);
        }
    }

    @Test
    void aWriteTheFileSystemRefusesFailsTransientlyAndTheStoreWritesAgainOnceItCan() throws IOException {
        Path dir = temp.resolve("refusing");
        LegacyRecord written = record(AuditKind.REMEDIATION, T0);
        try (JsonFilesLegacyStore store = JsonFilesLegacyStore.open(dir)) {
            Path blocker = Files.writeString(dir.resolve("remediation"), "where the kind's directory must go");

            assertThatThrownBy(() -> store.put(written)).isInstanceOf(LegacyStoreUnavailableException.class)
                    .hasMessageStartingWith("legacy store: ").hasMessageContaining(written.id().toString());
            assertThatThrownBy(() -> store.find(AuditKind.REMEDIATION, written.id()))
                    .as("a read does not take the blocked kind for an empty one")
                    .isInstanceOf(LegacyStoreUnavailableException.class);
            assertThatThrownBy(() -> store.count(AuditKind.REMEDIATION)).isInstanceOf(LegacyStoreUnavailableException.class);

            Files.delete(blocker);

            assertThat(store.put(written)).isEqualTo(LegacyStore.PutOutcome.CREATED);
            assertThat(store.find(AuditKind.REMEDIATION, written.id())).isPresent();
        }
    }

    private static void assertEveryCallFailsTransiently(JsonFilesLegacyStore store, LegacyRecord stored) {
        LegacyRecord other = record(stored.kind(), T0.plusSeconds(1));
        List<ThrowingCallable> calls = List.of(
                () -> store.put(other),
                () -> store.put(stored),
                () -> store.remove(stored.kind(), stored.id()),
                () -> store.remove(stored.kind(), other.id()),
                () -> store.find(stored.kind(), stored.id()),
                () -> store.find(AuditKind.WORKFLOW, other.id()),
                () -> store.scan(stored.kind(), Optional.empty(), 10),
                () -> store.count(stored.kind()));
        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOf(LegacyStoreUnavailableException.class)
                    .hasMessageStartingWith("legacy store: ");
        }
        assertThat(store.health().up()).isFalse();
    }

    private static void assertServesAgain(JsonFilesLegacyStore store, LegacyRecord stored) {
        assertThat(store.health().up()).isTrue();
        assertThat(store.find(stored.kind(), stored.id()).orElseThrow().sameContentAs(stored)).isTrue();
        assertThat(store.scan(stored.kind(), Optional.empty(), 10).records()).extracting(LegacyRecord::id)
                .containsExactly(stored.id());
        assertThat(store.count(stored.kind())).isEqualTo(1);
        LegacyRecord later = record(stored.kind(), T0.plusSeconds(2));
        assertThat(store.put(later)).isEqualTo(LegacyStore.PutOutcome.CREATED);
        assertThat(store.remove(stored.kind(), later.id())).isTrue();
        assertThat(store.count(stored.kind())).isEqualTo(1);
    }

    private static Path onlyFileUnder(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            List<Path> files = all.filter(Files::isRegularFile).toList();
            assertThat(files).hasSize(1);
            return files.getFirst();
        }
    }
}
