package io.datastorage.server;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Fills a JSON-files legacy store's directory with many records quickly, for tests that need a large
 * store but test something else than the store (the sync validator): the same files
 * {@code JsonFilesLegacyStore.put} writes (same directories, names and bytes; each written under a
 * temporary name and renamed, so a reader sees it whole or not at all), written by several threads
 * and forced to disk once per directory at the end, where the store's put forces each file and its
 * directory and first looks for the id in every month directory. Not a replacement for the store's
 * put: no conflict check (the records must be new), nothing durable until it returns.
 *
 * <p>It checks itself against the store first: the first record of each kind is put through
 * {@link LegacyStore#put}, and the file the store wrote must be, byte for byte, the one this helper
 * writes for it; otherwise it fails before writing anything else.
 */
final class LegacyJsonFilesBulk {
    /** The store's file name stamp: {@code createdAt} to the microsecond, UTC. */
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** Configured as the store's own mapper: exact decimals, indented. */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    private static final int WRITERS = 4;

    private LegacyJsonFilesBulk() {
    }

    /**
     * Writes {@code records} (none of them in the store yet) into the store whose directory is
     * {@code root}: the first of each kind through {@code store}, the others as files.
     */
    static void putAll(LegacyStore store, Path root, List<LegacyRecord> records) throws Exception {
        Set<AuditKind> checked = EnumSet.noneOf(AuditKind.class);
        List<LegacyRecord> rest = new ArrayList<>(records.size());
        for (LegacyRecord record : records) {
            if (checked.add(record.kind())) {
                store.put(record);
                byte[] written = Files.readAllBytes(fileOf(root, record));
                if (!Arrays.equals(written, content(record))) {
                    throw new IllegalStateException("the store wrote record " + record.id() + " as\n"
                            + new String(written, java.nio.charset.StandardCharsets.UTF_8)
                            + "\nnot as this helper would; bring the helper up to date with JsonFilesLegacyStore");
                }
            } else {
                rest.add(record);
            }
        }
        Set<Path> directories = ConcurrentHashMap.newKeySet();
        try (ExecutorService pool = Executors.newFixedThreadPool(WRITERS)) {
            List<Future<?>> parts = new ArrayList<>();
            for (int part = 0; part < WRITERS; part++) {
                int first = part;
                parts.add(pool.submit(() -> {
                    for (int i = first; i < rest.size(); i += WRITERS) {
                        directories.add(write(root, rest.get(i)));
                    }
                    return null;
                }));
            }
            for (Future<?> part : parts) {
                part.get();
            }
        }
        // Forced once each, deepest first: the month directories (the files' entries), then the
        // year and kind directories and the store's directory (entries of directories created here).
        Set<Path> all = new java.util.TreeSet<>((a, b) -> b.getNameCount() != a.getNameCount()
                ? Integer.compare(b.getNameCount(), a.getNameCount()) : a.compareTo(b));
        for (Path month : directories) {
            for (Path d = month; d.startsWith(root); d = d.getParent()) {
                all.add(d);
            }
        }
        for (Path directory : all) {
            force(directory);
        }
    }

    /** Writes one record's file under a temporary name, renames it; returns its directory. */
    private static Path write(Path root, LegacyRecord record) throws IOException {
        Path file = fileOf(root, record);
        Path directory = Files.createDirectories(file.getParent());
        if (Files.exists(file)) {
            throw new IllegalStateException("record " + record.id() + " is in the store already: " + file);
        }
        Path temporary = directory.resolve("." + file.getFileName() + "." + Long.toHexString(record.id()
                .getLeastSignificantBits()) + ".tmp");
        Files.write(temporary, content(record), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        return directory;
    }

    /** {@code <kind>/<yyyy>/<MM>/<stamp>_<id>.json} below the store's directory. */
    private static Path fileOf(Path root, LegacyRecord record) {
        String stamp = STAMP.format(record.createdAt());
        return root.resolve(record.kind().pathName()).resolve(stamp.substring(0, 4)).resolve(stamp.substring(4, 6))
                .resolve(stamp + "_" + record.id() + ".json");
    }

    private static byte[] content(LegacyRecord record) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("id", record.id().toString());
        if (record.legacyId() != null) {
            envelope.put("legacyId", record.legacyId());
        }
        envelope.put("kind", record.kind().pathName());
        envelope.put("createdAt", record.createdAt().toString());
        envelope.put("document", record.document());
        return MAPPER.writeValueAsBytes(envelope);
    }

    private static void force(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
