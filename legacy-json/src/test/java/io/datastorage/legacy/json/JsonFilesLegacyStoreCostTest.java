package io.datastorage.legacy.json;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyPage;
import io.datastorage.core.migration.LegacyPosition;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore.PutOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What finds, puts and a paged scan cost over a month of 20,000 records: the figures go to the test
 * log (no threshold is asserted, only the answers).
 */
class JsonFilesLegacyStoreCostTest {
    private static final Logger log = LoggerFactory.getLogger(JsonFilesLegacyStoreCostTest.class);
    private static final int RECORDS = 20_000;
    private static final int FINDS = 2_000;
    private static final int PAGE = 100;
    private static final Instant START = Instant.parse("2026-11-01T00:00:00.000001Z");

    @TempDir
    Path temp;

    @Test
    void findsPutsAndAPagedScanOverTwentyThousandRecordsInOneMonthAnswerRightly() throws IOException {
        Path dir = temp.resolve("cost");
        JsonFilesLegacyStore store = JsonFilesLegacyStore.open(dir);
        List<LegacyRecord> records = new ArrayList<>(RECORDS);
        Path month = null;
        for (int i = 0; i < RECORDS; i++) {
            LegacyRecord record = new LegacyRecord(UUID.randomUUID(), AuditKind.REMEDIATION,
                    START.plusMillis(97L * i), Map.of("n", i), null);
            records.add(record);
            // Written by hand rather than with put: the seeding is not what is measured.
            Path file = store.fileOf(record);
            month = file.getParent();
            Files.createDirectories(month);
            Files.writeString(file, "{\"id\":\"" + record.id() + "\",\"kind\":\"remediation\",\"createdAt\":\""
                    + record.createdAt() + "\",\"document\":{\"n\":" + i + "}}", StandardCharsets.UTF_8);
        }
        Random random = new Random(17);

        Files.setLastModifiedTime(month, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        Path changing = month;
        Touch none = () -> { };
        measure("at rest (warm-up)", store, records, random, none, FINDS);
        measure("at rest", store, records, random, none, FINDS);
        // As while a writer adds to the month: its time is recent at every call.
        measure("changed just before each call", store, records, random,
                () -> Files.setLastModifiedTime(changing, FileTime.from(Instant.now())), FINDS / 10);
    }

    interface Touch {
        void run() throws IOException;
    }

    private static void measure(String state, JsonFilesLegacyStore store, List<LegacyRecord> records, Random random,
                                Touch touch, int calls) throws IOException {
        long started = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            touch.run();
            LegacyRecord record = records.get(random.nextInt(records.size()));
            assertThat(store.find(AuditKind.REMEDIATION, record.id())).contains(record);
        }
        long finds = System.nanoTime() - started;

        started = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            touch.run();
            LegacyRecord record = records.get(random.nextInt(records.size()));
            assertThat(store.put(record)).isEqualTo(PutOutcome.UNCHANGED);
        }
        long puts = System.nanoTime() - started;

        started = System.nanoTime();
        int scanned = 0;
        int pages = 0;
        Optional<LegacyPosition> after = Optional.empty();
        do {
            touch.run();
            LegacyPage page = store.scan(AuditKind.REMEDIATION, after, PAGE);
            scanned += page.records().size();
            pages++;
            after = page.next();
        } while (after.isPresent());
        long scan = System.nanoTime() - started;
        assertThat(scanned).isEqualTo(records.size());

        log.info("Legacy JSON store, {} records in one month, directory {}: {} finds {} ms ({} µs each), "
                        + "{} unchanged puts {} ms ({} µs each), full scan in {} pages of {} {} ms",
                records.size(), state, calls, finds / 1_000_000, finds / 1_000 / calls,
                calls, puts / 1_000_000, puts / 1_000 / calls, pages, PAGE, scan / 1_000_000);
    }
}
