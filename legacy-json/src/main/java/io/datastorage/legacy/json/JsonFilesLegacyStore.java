package io.datastorage.legacy.json;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.error.Component;
import io.datastorage.core.migration.LegacyHealth;
import io.datastorage.core.migration.LegacyPage;
import io.datastorage.core.migration.LegacyPosition;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyRecordConflictException;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.LegacyStoreUnavailableException;
import io.datastorage.core.store.UnreadableRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The legacy store as a directory of JSON files, one per record, readable with standard tools
 * ({@code ls}, {@code cat}, {@code jq}).
 *
 * <h2>Layout</h2>
 * <pre>
 * &lt;dir&gt;/&lt;kind&gt;/&lt;yyyy&gt;/&lt;mm&gt;/&lt;yyyyMMdd'T'HHmmss.SSSSSS'Z'&gt;_&lt;id&gt;.json
 * e.g. remediation/2026/11/20261120T110000.123456Z_0193a1b2-0000-7000-8000-000000000001.json
 * </pre>
 * {@code kind} is the kind's path name ({@code remediation}, {@code aianalysis}, {@code workflow},
 * {@code execution}); year, month and the stamp are the record's {@code createdAt} in UTC, to the
 * microsecond; {@code id} is the record's UUID in lower case. So {@code ls} lists a month in
 * creation order, which is also the scan order: ascending {@code createdAt}, then id. Each file
 * holds one object, indented:
 * <pre>{@code
 * {
 *   "id" : "0193a1b2-0000-7000-8000-000000000001",
 *   "legacyId" : "evt-42",                        (only when the legacy id is not the id)
 *   "kind" : "remediation",
 *   "createdAt" : "2026-11-20T11:00:00.123456Z",
 *   "document" : { ... the record's document, exactly as accepted ... }
 * }
 * }</pre>
 * Numbers are written as their exact decimal text and read back as the same values
 * ({@code 0.10} stays {@code 0.10}). A file whose content is not such an object, or disagrees with
 * its name or directory, is unreadable: {@link #find} reports it ({@code UnreadableRecordException},
 * with the id of its name), a scan leaves it out of its records and names it in the page's
 * {@link LegacyPage#unreadable() unreadable} entries (id from its name, path below the store's
 * directory, why; also logged), and {@link #count} counts it, as it counts every record file.
 *
 * <h2>Atomic, durable writes</h2>
 * A put writes the whole file under a temporary name in the month's directory ({@code .} + the
 * final name + a random suffix + {@code .tmp}), forces it to disk ({@link FileChannel#force}),
 * renames it to its final name ({@link Files#move} with {@link StandardCopyOption#ATOMIC_MOVE}, a
 * {@code rename(2)} on one file system) and forces the directory, and any directory it had to
 * create, so the new entries survive a power loss (opening a directory for reading and forcing it
 * is how the JDK reaches {@code fsync} on a directory on Linux and macOS). A reader therefore sees a
 * record completely or not at all; a crash leaves at most a temporary file, which every read
 * ignores and a later put of the same record does not mind. {@link #open} deletes the temporary
 * files older than {@link #STALE_TEMPORARY_AGE} (a put's lives for milliseconds, so an older one is
 * a crash's leftover, not another process's put in progress), naming each in the log.
 *
 * <h2>Removes</h2>
 * A {@link #remove} deletes the record's file and forces its directory, under the same lock as the
 * puts of that id; removing a record that is not there does nothing. Empty month directories stay.
 *
 * <h2>Outages</h2>
 * The directory is the store: while it is missing (unmounted, renamed away), replaced by a file or
 * failing (a full disk, an I/O error), every call fails with {@link LegacyStoreUnavailableException}
 * and {@link #health()} is down with the reason; the store never creates the directory again itself
 * (that would hide an unmounted volume behind an empty store). Each call looks at the directory
 * afresh, so once it is back the store serves again, without a restart.
 *
 * <p>Puts of one id in this process are serialised (a striped lock), so of concurrent puts of one
 * record exactly one creates it. Across processes sharing the directory, the rename of two puts of
 * the same content leaves one file with that content.
 *
 * <h2>Cost: cached listings</h2>
 * A record's month is known only from its {@code createdAt}, so {@link #find} and {@link #put} look
 * for the id in every month directory (of one kind, or of all kinds for a put, which refuses an id
 * stored under another kind too), and a {@link #scan} page starts in the middle of a month. So that
 * neither reads every file name of the store, the store keeps each month directory's sorted listing
 * (with an index by id) in a bounded cache (Caffeine, {@link #DEFAULT_CACHED_NAMES} names by
 * default), keyed by the directory's identity and last-modified time. A call stats
 * each month directory it needs (one {@code stat} per month, besides listing the kind's few year
 * and month directories) and lists it again only when
 * its identity or last-modified time changed, or when that time is too recent to trust (see
 * {@link #TRUST_MARGIN}; such a directory is read again on every call, by a find or a put for
 * {@code *_<id>.json} only, so a month being written to costs what it did without the cache, and
 * the rule assumes the writers' clocks, or the file server's, agree with this one within the
 * margin). Every entry change (a file created, renamed in, removed, by this process or
 * another) updates the directory's last-modified time, so files added or removed behind the store's
 * back, by another process on the same directory, are seen by the next call. Record contents are
 * never cached: a record is read from its file on each call.
 */
public final class JsonFilesLegacyStore implements LegacyStore {
    private static final Logger log = LoggerFactory.getLogger(JsonFilesLegacyStore.class);

    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern FILE = Pattern.compile(
            "([0-9]{8}T[0-9]{6}\\.[0-9]{6}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.json");
    private static final Pattern YEAR = Pattern.compile("[0-9]{4}");
    private static final Pattern MONTH = Pattern.compile("(0[1-9]|1[0-2])");
    private static final int LOCK_STRIPES = 64;
    /** A put's temporary file: {@code .} + the record file's name + a random hex suffix + {@code .tmp}. */
    private static final Pattern TEMPORARY = Pattern.compile("\\." + FILE.pattern() + "\\.[0-9a-f]+\\.tmp");
    /** A health probe's temporary file, in the store's directory. */
    private static final Pattern PROBE = Pattern.compile("\\.health-[0-9a-f]+\\.tmp");
    /** How old a temporary file must be for {@link #open} to take it for a crash's leftover and delete it. */
    static final Duration STALE_TEMPORARY_AGE = Duration.ofMinutes(1);
    /**
     * How old a month directory's last-modified time must be, on this machine's clock, before a
     * listing of it is cached. It covers the timestamp granularity of the file systems in use (ext4,
     * xfs, btrfs and tmpfs: a clock tick of a few milliseconds; ext3 and HFS+: 1 s; FAT: 2 s) and a
     * small skew between this machine's clock and that of a file server; see {@link #listing}.
     */
    static final Duration TRUST_MARGIN = Duration.ofSeconds(3);
    /** How many file names the listing cache holds by default (about 100 bytes each). */
    static final long DEFAULT_CACHED_NAMES = 500_000;

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** A step of a put, for tests that play a crash there (see {@link #afterStep}). */
    enum Step { TEMPORARY_FILE_WRITTEN, RENAMED }

    /** Called after each step of a put; tests throw from it to stop a put as a crash would. */
    interface StepListener {
        void reached(Step step, Path file);
    }

    private final Path root;
    private final Object[] locks = new Object[LOCK_STRIPES];
    private volatile StepListener afterStep = (step, file) -> { };
    /** Month directory → its listing, valid while the directory's identity and last-modified time are unchanged. */
    private final Cache<Path, Listing> listings;

    private JsonFilesLegacyStore(Path root, long cachedNames) {
        this.root = root;
        this.listings = Caffeine.newBuilder()
                .maximumWeight(cachedNames)
                .weigher((Path month, Listing listing) -> listing.names.length + 1)
                .build();
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Opens the store in {@code directory}, creating it when missing, and deletes the temporary
     * files a crash left behind (older than {@link #STALE_TEMPORARY_AGE}; each is logged).
     *
     * @throws LegacyStoreUnavailableException the directory cannot be created or read
     */
    public static JsonFilesLegacyStore open(Path directory) {
        return open(directory, DEFAULT_CACHED_NAMES);
    }

    /** {@link #open(Path)} with a listing cache of at most {@code cachedNames} file names. */
    static JsonFilesLegacyStore open(Path directory, long cachedNames) {
        Path root = directory.toAbsolutePath().normalize();
        try {
            createDirectories(root);
            deleteStaleTemporaryFiles(root, Instant.now().minus(STALE_TEMPORARY_AGE));
        } catch (IOException e) {
            throw new LegacyStoreUnavailableException("cannot open the directory " + root + ": " + e, e);
        }
        return new JsonFilesLegacyStore(root, cachedNames);
    }

    /** Deletes the temporary files of puts (and health probes) last modified before {@code before}. */
    static void deleteStaleTemporaryFiles(Path root, Instant before) throws IOException {
        List<Path> directories = new ArrayList<>();
        directories.add(root); // where health probes write
        for (AuditKind kind : AuditKind.values()) {
            for (Path year : sortedChildren(root.resolve(kind.pathName()), YEAR)) {
                directories.addAll(sortedChildren(year, MONTH));
            }
        }
        FileTime limit = FileTime.from(before);
        int deleted = 0;
        for (Path directory : directories) {
            Pattern temporary = directory.equals(root) ? PROBE : TEMPORARY;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory,
                    entry -> temporary.matcher(entry.getFileName().toString()).matches())) {
                for (Path entry : entries) {
                    try {
                        if (Files.isRegularFile(entry) && Files.getLastModifiedTime(entry).compareTo(limit) < 0) {
                            Files.delete(entry);
                            deleted++;
                            log.info("Legacy store: deleted the temporary file {}, left behind by an interrupted write", entry);
                        }
                    } catch (NoSuchFileException gone) {
                        // deleted meanwhile
                    }
                }
            }
            if (deleted > 0) {
                forceDirectory(directory);
                deleted = 0;
            }
        }
    }

    void afterStep(StepListener listener) {
        this.afterStep = listener;
    }

    /** Where {@code record} is stored (whether or not it is yet). */
    Path fileOf(LegacyRecord record) {
        Instant at = record.createdAt();
        String stamp = STAMP.format(at);
        return root.resolve(record.kind().pathName()).resolve(stamp.substring(0, 4)).resolve(stamp.substring(4, 6))
                .resolve(stamp + "_" + record.id() + ".json");
    }

    @Override
    public PutOutcome put(LegacyRecord record) {
        synchronized (locks[Math.floorMod(record.id().hashCode(), LOCK_STRIPES)]) {
            try {
                checkRoot();
                for (AuditKind kind : AuditKind.values()) {
                    Optional<Path> existing = locate(kind, record.id());
                    if (existing.isPresent()) {
                        LegacyRecord stored = read(kind, existing.get());
                        if (stored.sameContentAs(record)) {
                            return PutOutcome.UNCHANGED;
                        }
                        throw new LegacyRecordConflictException(record.id(), record.storageKey());
                    }
                }
                write(record);
                return PutOutcome.CREATED;
            } catch (IOException | UncheckedIOException | DirectoryIteratorException e) {
                throw unavailable("cannot write record " + record.id(), e);
            }
        }
    }

    private void write(LegacyRecord record) throws IOException {
        Path target = fileOf(record);
        Path directory = target.getParent();
        listings.invalidate(directory); // its time changes anyway; this frees the stale listing now
        createDirectoriesBelowRoot(directory);
        Path temporary = directory.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        byte[] content = MAPPER.writeValueAsBytes(envelope(record));
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            afterStep.reached(Step.TEMPORARY_FILE_WRITTEN, temporary);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // An I/O failure we handle: leave no temporary file behind (a crash may; reads ignore it).
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        afterStep.reached(Step.RENAMED, target);
        forceDirectory(directory);
    }

    private static Map<String, Object> envelope(LegacyRecord record) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("id", record.id().toString());
        if (record.legacyId() != null) {
            envelope.put("legacyId", record.legacyId());
        }
        envelope.put("kind", record.kind().pathName());
        envelope.put("createdAt", record.createdAt().toString());
        envelope.put("document", record.document());
        return envelope;
    }

    /**
     * Creates the missing directories of {@code directory} below the store's directory, never that
     * one itself: a store whose directory is gone fails rather than starting afresh.
     */
    private void createDirectoriesBelowRoot(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        if (directory.equals(root) || !directory.startsWith(root)) {
            throw new NoSuchFileException(root.toString(), null, "missing or not a directory");
        }
        Path parent = directory.getParent();
        createDirectoriesBelowRoot(parent);
        try {
            Files.createDirectory(directory);
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            if (!Files.isDirectory(directory)) {
                throw raced;
            }
            return;
        }
        forceDirectory(parent);
    }

    /** Creates the missing directories of {@code directory} and forces each new entry into its parent. */
    private static void createDirectories(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Path parent = directory.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(directory);
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            if (!Files.isDirectory(directory)) {
                throw raced;
            }
            return;
        }
        if (parent != null) {
            forceDirectory(parent);
        }
    }

    private static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public boolean remove(AuditKind kind, UUID id) {
        synchronized (locks[Math.floorMod(id.hashCode(), LOCK_STRIPES)]) {
            try {
                checkRoot();
                Optional<Path> file = locate(kind, id);
                if (file.isEmpty()) {
                    checkRoot(); // "not there" only while the directory is
                    return false;
                }
                listings.invalidate(file.get().getParent());
                try {
                    Files.delete(file.get());
                } catch (NoSuchFileException gone) {
                    checkRoot();
                    return false; // removed by another process meanwhile
                }
                forceDirectory(file.get().getParent());
                return true;
            } catch (IOException | UncheckedIOException | DirectoryIteratorException e) {
                throw unavailable("cannot remove record " + id, e);
            }
        }
    }

    @Override
    public Optional<LegacyRecord> find(AuditKind kind, UUID id) {
        try {
            checkRoot();
            Optional<Path> file = locate(kind, id);
            if (file.isEmpty()) {
                checkRoot(); // the directory may have gone while it was searched
                return Optional.empty();
            }
            try {
                return Optional.of(read(kind, file.get()));
            } catch (NoSuchFileException removed) {
                checkRoot();
                return Optional.empty(); // removed since it was found
            }
        } catch (IOException | UncheckedIOException | DirectoryIteratorException e) {
            throw unavailable("cannot read record " + id, e);
        }
    }

    /** An I/O failure (also as the unchecked wrappers directory iteration throws) as the store's transient failure. */
    private LegacyStoreUnavailableException unavailable(String what, Exception e) {
        Throwable cause = e instanceof UncheckedIOException || e instanceof DirectoryIteratorException ? e.getCause() : e;
        return new LegacyStoreUnavailableException(what + " under " + root + ": " + cause, cause);
    }

    /**
     * Fails unless the store's directory is there: a missing one would otherwise read as an empty
     * store. Called before a call and again before it answers "nothing", as the directory may go
     * away in between.
     */
    private void checkRoot() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null,
                    Files.exists(root) ? "not a directory" : "missing");
        }
    }

    private Optional<Path> locate(AuditKind kind, UUID id) throws IOException {
        String key = id.toString();
        for (Path month : months(kind)) {
            Listing listing = listing(month, false);
            if (listing != null) {
                String name = listing.nameOf(key);
                if (name != null) {
                    return Optional.of(month.resolve(name));
                }
                continue;
            }
            // Changed too recently to cache: a search for the one name costs less than a sorted listing.
            try (DirectoryStream<Path> files = Files.newDirectoryStream(month, "*_" + key + ".json")) {
                for (Path file : files) {
                    if (FILE.matcher(file.getFileName().toString()).matches()) {
                        return Optional.of(file);
                    }
                }
            } catch (NoSuchFileException gone) {
                // a month directory removed under us holds nothing
            }
        }
        return Optional.empty();
    }

    /**
     * The kind's month directories in ascending order; none while the kind has no directory yet. A
     * file where the kind's directory belongs fails (as a put would), rather than reading as no records.
     */
    private List<Path> months(AuditKind kind) throws IOException {
        Path kindDirectory = root.resolve(kind.pathName());
        if (Files.exists(kindDirectory) && !Files.isDirectory(kindDirectory)) {
            throw new java.nio.file.NotDirectoryException(kindDirectory.toString());
        }
        List<Path> months = new ArrayList<>();
        for (Path year : sortedChildren(kindDirectory, YEAR)) {
            months.addAll(sortedChildren(year, MONTH));
        }
        return months;
    }

    private static List<Path> sortedChildren(Path directory, Pattern name) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory,
                entry -> name.matcher(entry.getFileName().toString()).matches() && Files.isDirectory(entry))) {
            entries.forEach(children::add);
        }
        children.sort(null);
        return children;
    }

    /**
     * The record files of a month directory, sorted by name (= scan order), from the cache when the
     * directory is unchanged since it was listed.
     *
     * <p>Why a cached listing is never stale: a listing is cached with the directory's last-modified
     * time {@code M} only when {@code M} was already older than {@link #TRUST_MARGIN} at a moment
     * {@code now} read before the {@code stat} that returned {@code M}, and the listing is read after
     * that {@code stat}. An entry change before the {@code stat} either is in the listing or would
     * have made the time later than {@code M}. An entry change after it happens after {@code now}, so
     * the directory gets a time of at least {@code now} minus the file system's timestamp granularity
     * (and clock skew), which is still later than {@code M} as that granularity is below the margin;
     * the time therefore differs from {@code M} and the next call lists the directory again. A change
     * within the same timestamp tick as {@code M} cannot be missed: that tick was over, by at least the
     * margin, before the listing was read. A directory whose time is recent (or in the future, as
     * with a skewed clock) is listed afresh on each call and not cached. The directory's identity
     * ({@link BasicFileAttributes#fileKey()}, its inode) is compared too, for a month directory
     * removed and created again.
     */
    Listing listing(Path month) throws IOException {
        return listing(month, true);
    }

    /**
     * {@link #listing(Path)}, or null, when {@code evenUntrusted} is false, for a directory changed
     * too recently for its listing to be cached (the caller then searches it for what it needs).
     */
    private Listing listing(Path month, boolean evenUntrusted) throws IOException {
        Instant now = Instant.now(); // before the stat: see above
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(month, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
            listings.invalidate(month);
            return Listing.EMPTY; // a month directory removed under us holds nothing
        }
        FileTime modified = attributes.lastModifiedTime();
        Object identity = attributes.fileKey();
        Listing cached = listings.getIfPresent(month);
        if (cached != null && cached.modified.equals(modified) && Objects.equals(cached.identity, identity)) {
            return cached;
        }
        boolean trusted = modified.toInstant().isBefore(now.minus(TRUST_MARGIN));
        if (!trusted && !evenUntrusted) {
            listings.invalidate(month);
            return null;
        }
        Listing fresh = new Listing(identity, modified, recordFiles(month), trusted);
        if (trusted) {
            listings.put(month, fresh);
        } else {
            listings.invalidate(month);
        }
        return fresh;
    }

    /** Reads the record files of a month directory, sorted by name; temporary files never match. */
    private static String[] recordFiles(Path month) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(month)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (FILE.matcher(name).matches()) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException gone) {
            return new String[0];
        }
        String[] sorted = names.toArray(String[]::new);
        Arrays.sort(sorted);
        return sorted;
    }

    /**
     * A month directory's record file names, sorted (scan order), and, once a cached listing is
     * searched by id, their positions sorted by the id in the name, for a binary search (a sorted
     * index rather than a map: 4 bytes a record instead of a map entry's 50 or so, as a cache of
     * half a million names must stay small). A listing used once, not cached, is searched linearly.
     */
    static final class Listing {
        static final Listing EMPTY = new Listing(null, FileTime.fromMillis(0), new String[0], false);
        /** Where the id starts in a record file's name: after the stamp and the underscore. */
        private static final int ID_START = "yyyyMMddTHHmmss.SSSSSSZ_".length();
        private static final int ID_LENGTH = 36;

        final Object identity;
        final FileTime modified;
        final String[] names;
        private final boolean cached;
        /** Built on the first search by id of a cached listing; racing threads build equal ones. */
        private volatile int[] byId;

        private Listing(Object identity, FileTime modified, String[] names, boolean cached) {
            this.identity = identity;
            this.modified = modified;
            this.names = names;
            this.cached = cached;
        }

        private static int[] indexById(String[] names) {
            Integer[] order = new Integer[names.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> compareIds(names[a], names[b], ID_START));
            int[] byId = new int[order.length];
            for (int i = 0; i < order.length; i++) {
                byId[i] = order[i];
            }
            return byId;
        }

        /** Compares the id in {@code name} with the one at {@code offset} of {@code other}, char by char, allocating nothing. */
        private static int compareIds(String name, String other, int offset) {
            for (int i = 0; i < ID_LENGTH; i++) {
                int difference = name.charAt(ID_START + i) - other.charAt(offset + i);
                if (difference != 0) {
                    return difference;
                }
            }
            return 0;
        }

        /** The name of the file holding {@code id} (lower-case text), or null. */
        String nameOf(String id) {
            if (id.length() != ID_LENGTH) {
                return null;
            }
            if (!cached) {
                for (String name : names) {
                    if (compareIds(name, id, 0) == 0) {
                        return name;
                    }
                }
                return null;
            }
            int[] byId = this.byId;
            if (byId == null) {
                byId = indexById(names);
                this.byId = byId;
            }
            int low = 0;
            int high = byId.length - 1;
            while (low <= high) {
                int middle = (low + high) >>> 1;
                String name = names[byId[middle]];
                int comparison = compareIds(name, id, 0);
                if (comparison < 0) {
                    low = middle + 1;
                } else if (comparison > 0) {
                    high = middle - 1;
                } else {
                    return name;
                }
            }
            return null;
        }

        /** The index of the first name after {@code name}. */
        int indexAfter(String name) {
            int found = Arrays.binarySearch(names, name);
            return found >= 0 ? found + 1 : -found - 1;
        }
    }

    private LegacyRecord read(AuditKind kind, Path file) throws IOException {
        Matcher name = FILE.matcher(file.getFileName().toString());
        if (!name.matches()) {
            throw new IllegalArgumentException("not a record file: " + file);
        }
        UUID id = UUID.fromString(name.group(2));
        byte[] content = Files.readAllBytes(file);
        try {
            Map<String, Object> envelope = MAPPER.readValue(content, new TypeReference<LinkedHashMap<String, Object>>() {
            });
            if (!(envelope.get("document") instanceof Map<?, ?> rawDocument)) {
                throw new IllegalArgumentException("no \"document\" object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> document = (Map<String, Object>) rawDocument;
            Instant createdAt = Instant.parse(String.valueOf(envelope.get("createdAt")));
            Object legacyId = envelope.get("legacyId");
            LegacyRecord record = new LegacyRecord(UUID.fromString(String.valueOf(envelope.get("id"))), kind, createdAt,
                    document, legacyId == null ? null : legacyId.toString());
            if (!record.id().equals(id) || !kind.pathName().equals(envelope.get("kind"))
                    || !fileOf(record).equals(file)) {
                throw new IllegalArgumentException("its id, kind or createdAt disagrees with its path");
            }
            return record;
        } catch (JacksonException | DateTimeParseException | IllegalArgumentException e) {
            throw new UnreadableRecordException(Component.LEGACY_STORE, id,
                    new IOException("legacy store: unreadable file " + file + ": " + e.getMessage(), e));
        }
    }

    @Override
    public LegacyPage scan(AuditKind kind, Optional<LegacyPosition> after, int limit) {
        LegacyStore.checkLimit(limit);
        String afterName = after.map(position -> STAMP.format(position.createdAt()) + "_" + position.key() + ".json")
                .orElse("");
        String afterMonth = after.map(position -> STAMP.format(position.createdAt()).substring(0, 6)).orElse("");
        List<LegacyRecord> records = new ArrayList<>();
        List<LegacyPage.Unreadable> unreadable = new ArrayList<>();
        String lastName = null;
        int consumed = 0;
        try {
            checkRoot();
            for (Path month : months(kind)) {
                String monthKey = month.getParent().getFileName().toString() + month.getFileName();
                if (monthKey.compareTo(afterMonth) < 0) {
                    continue;
                }
                Listing listing = listing(month);
                String[] names = listing.names;
                for (int i = listing.indexAfter(afterName); i < names.length; i++) {
                    String name = names[i];
                    consumed++;
                    lastName = name;
                    Path file = month.resolve(name);
                    try {
                        records.add(read(kind, file));
                    } catch (UnreadableRecordException e) {
                        log.warn("Legacy store: skipping an unreadable record file in a scan: {}", e.getCause().getMessage());
                        unreadable.add(new LegacyPage.Unreadable(Optional.of(e.id()),
                                root.relativize(file).toString().replace(java.io.File.separatorChar, '/'),
                                e.getCause().getCause() != null ? e.getCause().getCause().getMessage() : e.getCause().getMessage()));
                    } catch (NoSuchFileException gone) {
                        // removed since the directory was listed
                    }
                    if (consumed == limit) {
                        return new LegacyPage(records, Optional.of(positionOf(lastName)), unreadable);
                    }
                }
            }
            checkRoot(); // the end of the scan, or a directory gone while it was read
        } catch (IOException | UncheckedIOException | DirectoryIteratorException e) {
            throw unavailable("cannot scan " + kind.pathName(), e);
        }
        return new LegacyPage(records, Optional.empty(), unreadable);
    }

    private static LegacyPosition positionOf(String fileName) {
        Matcher name = FILE.matcher(fileName);
        if (!name.matches()) {
            throw new IllegalStateException(fileName);
        }
        return new LegacyPosition(Instant.from(STAMP.parse(name.group(1))), name.group(2));
    }

    @Override
    public long count(AuditKind kind) {
        try {
            checkRoot();
            long count = 0;
            for (Path month : months(kind)) {
                count += listing(month).names.length;
            }
            checkRoot();
            return count;
        } catch (IOException | UncheckedIOException | DirectoryIteratorException e) {
            throw unavailable("cannot count " + kind.pathName(), e);
        }
    }

    /**
     * Up when the directory is there and takes a write: a probe writes a small temporary file in it
     * and deletes it (a full disk or a read-only volume fails the probe, and the answer names why).
     */
    @Override
    public LegacyHealth health() {
        if (!Files.isDirectory(root)) {
            return LegacyHealth.down(root + (Files.exists(root) ? " is not a directory" : " is missing"));
        }
        Path probe = root.resolve(".health-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(new byte[] {'{', '}', '\n'}));
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException | RuntimeException e) {
            return LegacyHealth.down(root + " cannot be written: " + e);
        }
        return LegacyHealth.up("JSON files under " + root);
    }

    @Override
    public void close() {
        // holds nothing open between calls
    }

    @Override
    public String toString() {
        return "JsonFilesLegacyStore[" + root + "]";
    }
}
