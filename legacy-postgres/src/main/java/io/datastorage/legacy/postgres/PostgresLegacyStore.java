package io.datastorage.legacy.postgres;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.config.InvalidConfigException;
import io.datastorage.core.error.Component;
import io.datastorage.core.migration.LegacyHealth;
import io.datastorage.core.migration.LegacyIds;
import io.datastorage.core.migration.LegacyPage;
import io.datastorage.core.migration.LegacyPosition;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyRecordConflictException;
import io.datastorage.core.migration.LegacyRecordRefusedException;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.LegacyStoreUnavailableException;
import io.datastorage.core.store.StoreException;
import io.datastorage.core.store.UnreadableRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The legacy store as a table in another PostgreSQL (the shared-database case), described by a
 * {@link LegacyTableMapping}. It creates nothing in that database: it reads and inserts rows of the
 * mapped table, and checks when it opens that the table and every mapped column exist with a type
 * it can use.
 *
 * <h2>Keys and ids</h2>
 * The id column holds each record's {@linkplain LegacyRecord#storageKey() storage key}: its legacy
 * id, or its UUID as text for a record that has no other. A row's key that is not a UUID becomes
 * the record's id through {@link LegacyIds#toUuid} (version 5). PostgreSQL cannot compute that
 * (SHA-1 is not built in, and the store creates nothing in the legacy database, so it can neither
 * add a function nor a column of ids), so {@link #find} and {@link #remove} by such an id look the
 * key up in a cache of the keys seen by scans, finds and puts (a backfill's scan fills it as it
 * goes), and on a miss read the kind's keys in one pass over the id column, remembering every
 * name-based key. The cost is bounded: at most one pass per kind runs at a time (concurrent misses
 * wait for it and use its result), and after a pass, misses are answered from the cache for
 * {@link #KEY_PASS_INTERVAL} before another pass may run. So a row another writer inserts under
 * a name-based key may be found by its id only up to that long after it was inserted (through this
 * store's own puts and scans, at once); the cache holds up to {@value #MAX_CACHED_KEYS} keys, and a
 * table with more name-based keys than that costs a pass per interval, never more.
 * A record can only be put under a key its id column can hold: an integer column takes integer
 * legacy ids, a {@code uuid} column UUIDs; any other put is refused ({@link StoreException}, permanent).
 *
 * <h2>Content</h2>
 * With a document column ({@code jsonb}, {@code json} or {@code text}) the document is stored as
 * JSON and reads back exactly (jsonb keeps numbers' values and scale; it reorders members, which the
 * record's canonical order undoes). With a column per field, each field goes to its column: text to
 * text columns, integers to integer columns, numbers to {@code numeric}/float columns, booleans to
 * {@code bool}, anything to {@code json}/{@code jsonb}, an RFC 3339 text to a timestamp column (which
 * reads back as {@code Instant.toString()}, so keep timestamps in text columns to keep their
 * spelling). A field of another type than its column holds, or one the mapping has no column for,
 * is refused rather than changed.
 *
 * <h2>Writes</h2>
 * A put runs in one transaction under a transaction-level advisory lock on its key, so it needs no
 * unique constraint on the id column: it reads the row with that key and inserts only when there is
 * none. Scan order: {@code createdAt}, then the id column (text compared byte-wise, {@code COLLATE "C"}).
 *
 * <h2>Outages</h2>
 * While the database is down or unreachable, every call fails with
 * {@link LegacyStoreUnavailableException} after at most the configured connection timeout (or, on a
 * connection that hangs, the socket timeout), and {@link #health()} is down naming the SQLSTATE.
 * The pool replaces broken connections by itself, retrying with a back-off of a few seconds at most,
 * so the store serves again once the database is back, without a restart.
 *
 * <h2>Damaged rows</h2>
 * A row whose document is not JSON, whose kind is unknown or whose timestamp is null cannot be
 * read: {@link #find} reports it ({@link UnreadableRecordException}), scans leave it out of their
 * records and name it in the page's {@link LegacyPage#unreadable() unreadable} entries (its key, the
 * id the key maps to, why; also logged), and {@link #count} counts it. A row a scan cannot place in
 * its order (a null timestamp or key; with a kind column, a kind that is null or none of the known ones,
 * which no kind's scan selects) is named on the first page of a scan: of its kind, or, for an
 * unknown kind, of the first kind's.
 */
public final class PostgresLegacyStore implements LegacyStore {
    private static final Logger log = LoggerFactory.getLogger(PostgresLegacyStore.class);
    private static final int ADVISORY_LOCK_CLASS = 0x4c454759; // "LEGY"
    /** How long after a pass over a kind's keys a miss is answered from the cache, without another pass. */
    static final Duration KEY_PASS_INTERVAL = Duration.ofMinutes(1);
    static final int MAX_CACHED_KEYS = 1_000_000;

    private final HikariDataSource dataSource;
    private final LegacyTableMapping mapping;
    private final String description;
    private final ColumnType idType;
    private final String idTypeName;
    private final ColumnType timestampType;
    private final String timestampTypeName;
    private final Map<String, String> fieldTypeNames; // column -> type name
    private final String documentTypeName;
    private final String selectList;
    private final Cache<UUID, String> keysById = Caffeine.newBuilder().maximumSize(MAX_CACHED_KEYS).build();
    /** Per kind: the lock one pass over its keys holds, and when the last one ended (System.nanoTime). */
    /**
     * One pass over a kind's keys at a time. A ReentrantLock, not a monitor: the pass does socket I/O,
     * and the migration router calls from virtual threads, which a monitor pins to their carrier on
     * Java 21 (JEP 491 lifts that only from Java 24).
     */
    private final Map<AuditKind, java.util.concurrent.locks.ReentrantLock> passLocks = new java.util.EnumMap<>(AuditKind.class);
    private final Map<AuditKind, Long> lastPassEnded = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong keyPasses = new java.util.concurrent.atomic.AtomicLong();

    private PostgresLegacyStore(HikariDataSource dataSource, LegacyTableMapping mapping, String description,
                                Map<String, String> columnTypes) {
        this.dataSource = dataSource;
        this.mapping = mapping;
        this.description = description;
        this.idTypeName = column(columnTypes, "id-column", mapping.idColumn(), ColumnType.TEXT, ColumnType.INTEGER, ColumnType.UUID);
        this.idType = ColumnType.of(idTypeName);
        if (idType == ColumnType.INTEGER) {
            log.warn("Legacy store: the id column {} of {} is {}; datastorage's records have UUID ids, so every write "
                    + "to this table is refused (answered 422 legacy-store-refused): writes work in NEW_ONLY only; "
                    + "reads work in every phase.",
                    mapping.idColumn(), description, idTypeName);
        }
        this.timestampTypeName = column(columnTypes, "timestamp-column", mapping.timestampColumn(),
                ColumnType.TIMESTAMPTZ, ColumnType.TIMESTAMP);
        this.timestampType = ColumnType.of(timestampTypeName);
        if (mapping.kindColumn() != null) {
            column(columnTypes, "kind-column", mapping.kindColumn(), ColumnType.TEXT);
        }
        this.documentTypeName = mapping.documentColumn() == null ? null
                : column(columnTypes, "document-column", mapping.documentColumn(), ColumnType.JSON, ColumnType.TEXT);
        Map<String, String> fieldTypes = new LinkedHashMap<>();
        mapping.fields().forEach((field, name) -> fieldTypes.put(name, column(columnTypes, "field." + field, name,
                ColumnType.TEXT, ColumnType.INTEGER, ColumnType.DECIMAL, ColumnType.BOOLEAN, ColumnType.JSON,
                ColumnType.TIMESTAMPTZ, ColumnType.TIMESTAMP)));
        this.fieldTypeNames = fieldTypes;
        List<String> columns = new ArrayList<>();
        columns.add(LegacyTableMapping.quote(mapping.idColumn()) + "::text");
        columns.add(LegacyTableMapping.quote(mapping.timestampColumn()));
        if (mapping.kindColumn() != null) {
            columns.add(LegacyTableMapping.quote(mapping.kindColumn()));
        }
        if (mapping.documentColumn() != null) {
            columns.add(LegacyTableMapping.quote(mapping.documentColumn()) + "::text");
        }
        mapping.fields().values().forEach(name -> columns.add(LegacyTableMapping.quote(name)));
        this.selectList = String.join(", ", columns);
        for (AuditKind kind : AuditKind.values()) {
            passLocks.put(kind, new java.util.concurrent.locks.ReentrantLock());
        }
    }

    /**
     * Opens a small pool on the legacy database and checks the mapped table.
     *
     * @throws LegacyStoreUnavailableException the database cannot be reached
     * @throws InvalidConfigException the table or a mapped column is missing or of a type the store cannot use
     */
    public static PostgresLegacyStore open(LegacyPostgresConfig config) {
        LegacyTableMapping mapping = config.mapping();
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(config.url());
        pool.setUsername(config.user());
        pool.setPassword(config.password());
        pool.setMaximumPoolSize(config.poolSize());
        pool.setConnectionTimeout(config.connectionTimeout().toMillis());
        pool.setValidationTimeout(Math.min(5_000, config.connectionTimeout().toMillis()));
        pool.addDataSourceProperty("socketTimeout", String.valueOf(config.socketTimeout().toSeconds()));
        pool.setInitializationFailTimeout(-1); // reachability is checked below, with a typed failure
        pool.setPoolName("legacy-postgres");
        HikariDataSource dataSource = new HikariDataSource(pool);
        String description = "table " + mapping.table() + " in " + config.url();
        try {
            Map<String, String> columnTypes = new LinkedHashMap<>();
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT * FROM " + mapping.quotedTable() + " WHERE false")) {
                ResultSetMetaData meta = rs.getMetaData();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    columnTypes.put(meta.getColumnName(i).toLowerCase(Locale.ROOT), ColumnType.castable(meta.getColumnTypeName(i)));
                }
            } catch (SQLException e) {
                if ("42P01".equals(e.getSQLState()) || "42501".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                    throw new InvalidConfigException("table", "must name a table user " + config.user() + " can read in "
                            + config.url() + " (mapping file " + config.mappingFile() + ")", "'" + mapping.table() + "'");
                }
                throw translate("checking " + description, e);
            }
            return new PostgresLegacyStore(dataSource, mapping, description, columnTypes);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    private static String column(Map<String, String> columnTypes, String key, String name, ColumnType... allowed) {
        String typeName = columnTypes.get(name.toLowerCase(Locale.ROOT));
        if (typeName == null) {
            throw new InvalidConfigException(key, "must name a column of the table (it has: "
                    + String.join(", ", columnTypes.keySet()) + ")", "'" + name + "'");
        }
        ColumnType type = ColumnType.of(typeName);
        for (ColumnType ok : allowed) {
            if (ok == type) {
                return typeName;
            }
        }
        throw new InvalidConfigException(key, "must name a column of a type the legacy store can use ("
                + java.util.Arrays.stream(allowed).map(t -> t.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                + "), not " + typeName, "'" + name + "'");
    }

    // ---------------------------------------------------------------- writes

    @Override
    public PutOutcome put(LegacyRecord record) {
        String key = record.storageKey();
        if (mapping.fixedKind() != null && record.kind() != mapping.fixedKind()) {
            throw new LegacyRecordRefusedException(record.id(), "the mapped " + description + " holds only "
                    + mapping.fixedKind().pathName() + " records, and it is a " + record.kind().pathName() + " record");
        }
        if (!fits(idType, key)) {
            throw new LegacyRecordRefusedException(record.id(), "its key '" + key + "' does not fit the id column "
                    + mapping.idColumn() + " (" + idTypeName + ")");
        }
        List<String> values = insertValues(record);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
                    lock.setInt(1, ADVISORY_LOCK_CLASS);
                    lock.setString(2, key);
                    lock.execute();
                }
                Optional<Row> existing = selectByKey(c, key);
                PutOutcome outcome;
                if (existing.isPresent()) {
                    LegacyRecord stored = toRecord(existing.get());
                    if (!stored.sameContentAs(record)) {
                        throw new LegacyRecordConflictException(record.id(), key);
                    }
                    outcome = PutOutcome.UNCHANGED;
                } else {
                    insert(c, values);
                    outcome = PutOutcome.CREATED;
                }
                c.commit();
                remember(record.id(), key);
                return outcome;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw translate("storing record " + record.id(), e);
        }
    }

    /** The insert's values as text, in column order: id, timestamp, kind, document or fields. */
    private List<String> insertValues(LegacyRecord record) {
        List<String> values = new ArrayList<>();
        values.add(record.storageKey());
        values.add(timestampType == ColumnType.TIMESTAMPTZ ? record.createdAt().toString()
                : LocalDateTime.ofInstant(record.createdAt(), ZoneOffset.UTC).toString());
        if (mapping.kindColumn() != null) {
            values.add(record.kind().pathName());
        }
        if (mapping.documentColumn() != null) {
            values.add(LegacyJson.write(record.document()));
            return values;
        }
        for (String field : record.document().keySet()) {
            if (record.document().get(field) != null && !mapping.fields().containsKey(field)) {
                throw new LegacyRecordRefusedException(record.id(), "it has the field '" + field
                        + "', for which the mapping of " + description + " has no column");
            }
        }
        mapping.fields().forEach((field, column) ->
                values.add(fieldText(record, field, record.document().get(field), ColumnType.of(fieldTypeNames.get(column)))));
        return values;
    }

    private String fieldText(LegacyRecord record, String field, Object value, ColumnType type) {
        if (value == null) {
            return null;
        }
        boolean fits = switch (type) {
            case TEXT, TIMESTAMPTZ, TIMESTAMP -> value instanceof String;
            case INTEGER -> value instanceof Integer || value instanceof Long || value instanceof Short
                    || value instanceof BigInteger;
            case DECIMAL -> value instanceof Number;
            case BOOLEAN -> value instanceof Boolean;
            case JSON -> true;
            default -> false;
        };
        if (!fits) {
            throw new LegacyRecordRefusedException(record.id(), "its field '" + field + "' holds a "
                    + value.getClass().getSimpleName() + ", which its column (" + type.name().toLowerCase(Locale.ROOT)
                    + ") cannot keep as it is");
        }
        return type == ColumnType.JSON ? LegacyJson.write(value) : value.toString();
    }

    private void insert(Connection c, List<String> values) throws SQLException {
        List<String> columns = new ArrayList<>();
        List<String> types = new ArrayList<>();
        columns.add(mapping.idColumn());
        types.add(idTypeName);
        columns.add(mapping.timestampColumn());
        types.add(timestampTypeName);
        if (mapping.kindColumn() != null) {
            columns.add(mapping.kindColumn());
            types.add("text");
        }
        if (mapping.documentColumn() != null) {
            columns.add(mapping.documentColumn());
            types.add(documentTypeName);
        }
        mapping.fields().values().forEach(column -> {
            columns.add(column);
            types.add(fieldTypeNames.get(column));
        });
        String sql = "INSERT INTO " + mapping.quotedTable() + " ("
                + columns.stream().map(LegacyTableMapping::quote).collect(Collectors.joining(", ")) + ") VALUES ("
                + types.stream().map(type -> "CAST(? AS " + type + ")").collect(Collectors.joining(", ")) + ")";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.size(); i++) {
                s.setString(i + 1, values.get(i));
            }
            s.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- reads

    /** A row as read, before it is made a record. */
    private record Row(String key, Instant createdAt, String kind, Map<String, Object> document, RuntimeException damage) {
    }

    /**
     * Deletes the row of the record, under the advisory lock its puts take, and only when the row
     * is of {@code kind}.
     */
    @Override
    public boolean remove(AuditKind kind, UUID id) {
        if (mapping.fixedKind() != null && kind != mapping.fixedKind()) {
            return false;
        }
        try (Connection c = dataSource.getConnection()) {
            Optional<String> key = keyOf(c, kind, id);
            if (key.isEmpty()) {
                return false;
            }
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
                    lock.setInt(1, ADVISORY_LOCK_CLASS);
                    lock.setString(2, key.get());
                    lock.execute();
                }
                int deleted;
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + mapping.quotedTable() + " WHERE "
                        + LegacyTableMapping.quote(mapping.idColumn()) + " = CAST(? AS " + idTypeName + ")"
                        + kindFilter(" AND "))) {
                    s.setString(1, key.get());
                    if (mapping.kindColumn() != null) {
                        s.setString(2, kind.pathName());
                    }
                    deleted = s.executeUpdate();
                }
                c.commit();
                return deleted > 0;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw translate("removing record " + id, e);
        }
    }

    @Override
    public Optional<LegacyRecord> find(AuditKind kind, UUID id) {
        if (mapping.fixedKind() != null && kind != mapping.fixedKind()) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection()) {
            Optional<Row> row = fits(idType, id.toString()) ? selectByKey(c, id.toString()) : Optional.empty();
            if (row.isEmpty()) {
                Optional<String> key = nameBasedKeyOf(c, kind, id);
                if (key.isPresent()) {
                    row = selectByKey(c, key.get());
                }
            }
            if (row.isEmpty()) {
                return Optional.empty();
            }
            LegacyRecord record = toRecord(row.get());
            return record.kind() == kind && record.id().equals(id) ? Optional.of(record) : Optional.empty();
        } catch (SQLException e) {
            throw translate("reading record " + id, e);
        }
    }

    /** The key a row of the record with {@code id} would have, if the table may hold one. */
    private Optional<String> keyOf(Connection c, AuditKind kind, UUID id) throws SQLException {
        if (fits(idType, id.toString()) && selectByKey(c, id.toString()).isPresent()) {
            return Optional.of(id.toString());
        }
        return nameBasedKeyOf(c, kind, id);
    }

    /** The name-based key of {@code id}: from the cache, or else from a pass over the kind's keys (bounded, see above). */
    private Optional<String> nameBasedKeyOf(Connection c, AuditKind kind, UUID id) throws SQLException {
        String key = keysById.getIfPresent(id);
        if (key != null || id.version() != 5) {
            return Optional.ofNullable(key);
        }
        long asked = System.nanoTime();
        java.util.concurrent.locks.ReentrantLock lock = passLocks.get(kind);
        lock.lock();
        try {
            key = keysById.getIfPresent(id);
            Long ended = lastPassEnded.get(kind);
            // A pass that ended after this call asked saw every key there was when it asked; one that
            // ended within the interval is recent enough to answer a miss from the cache.
            if (key != null || ended != null && (ended - asked > 0 || asked - ended < KEY_PASS_INTERVAL.toNanos())) {
                return Optional.ofNullable(key);
            }
            passOverKeys(c, kind);
            lastPassEnded.put(kind, System.nanoTime());
            return Optional.ofNullable(keysById.getIfPresent(id));
        } finally {
            lock.unlock();
        }
    }

    /** One pass over the kind's keys, remembering every name-based one. */
    private void passOverKeys(Connection c, AuditKind kind) throws SQLException {
        keyPasses.incrementAndGet();
        String sql = "SELECT " + LegacyTableMapping.quote(mapping.idColumn()) + "::text FROM " + mapping.quotedTable()
                + kindFilter(" WHERE ");
        c.setAutoCommit(false); // lets the driver stream with a cursor
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setFetchSize(10_000);
            if (mapping.kindColumn() != null) {
                s.setString(1, kind.pathName());
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(1);
                    if (!LegacyIds.isUuid(key)) {
                        keysById.put(LegacyIds.toUuid(key), key);
                    }
                }
            }
        } finally {
            c.commit();
            c.setAutoCommit(true);
        }
    }

    /** How many passes over a kind's keys this store made (for the tests of their bound). */
    long keyPasses() {
        return keyPasses.get();
    }

    private void remember(UUID id, String key) {
        if (!key.equals(id.toString())) {
            keysById.put(id, key);
        }
    }

    private Optional<Row> selectByKey(Connection c, String key) throws SQLException {
        String sql = "SELECT " + selectList + " FROM " + mapping.quotedTable() + " WHERE "
                + LegacyTableMapping.quote(mapping.idColumn()) + " = CAST(? AS " + idTypeName + ")";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public LegacyPage scan(AuditKind kind, Optional<LegacyPosition> after, int limit) {
        LegacyStore.checkLimit(limit);
        if (mapping.fixedKind() != null && kind != mapping.fixedKind()) {
            return new LegacyPage(List.of(), Optional.empty());
        }
        String id = LegacyTableMapping.quote(mapping.idColumn()) + (idType == ColumnType.TEXT ? " COLLATE \"C\"" : "");
        String ts = LegacyTableMapping.quote(mapping.timestampColumn());
        String tsParam = "CAST(? AS " + timestampTypeName + ")";
        // A row without a timestamp or a key has no place in the order: the first page names it (unplaceable).
        StringBuilder sql = new StringBuilder("SELECT ").append(selectList).append(" FROM ").append(mapping.quotedTable())
                .append(" WHERE ").append(ts).append(" IS NOT NULL AND ")
                .append(LegacyTableMapping.quote(mapping.idColumn())).append(" IS NOT NULL").append(kindFilter(" AND "));
        if (after.isPresent()) {
            sql.append(" AND (").append(ts).append(" > ").append(tsParam).append(" OR (").append(ts).append(" = ")
                    .append(tsParam).append(" AND ").append(id).append(" > CAST(? AS ").append(idTypeName).append(")))");
        }
        sql.append(" ORDER BY ").append(ts).append(", ").append(id).append(" LIMIT ?");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            int p = 1;
            if (mapping.kindColumn() != null) {
                s.setString(p++, kind.pathName());
            }
            if (after.isPresent()) {
                String at = timestampType == ColumnType.TIMESTAMPTZ ? after.get().createdAt().toString()
                        : LocalDateTime.ofInstant(after.get().createdAt(), ZoneOffset.UTC).toString();
                s.setString(p++, at);
                s.setString(p++, at);
                s.setString(p++, after.get().key());
            }
            s.setInt(p, limit);
            List<LegacyRecord> records = new ArrayList<>();
            List<LegacyPage.Unreadable> unreadable = new ArrayList<>();
            Row last = null;
            int rows = 0;
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    last = row(rs);
                    try {
                        LegacyRecord record = toRecord(last);
                        remember(record.id(), record.storageKey());
                        records.add(record);
                    } catch (UnreadableRecordException e) {
                        unreadable.add(skipped(last, e));
                    }
                }
            }
            if (after.isEmpty()) {
                unreadable.addAll(unplaceable(c, kind));
            }
            return new LegacyPage(records, rows < limit ? Optional.empty()
                    : Optional.of(new LegacyPosition(last.createdAt(), last.key())), unreadable);
        } catch (SQLException e) {
            throw translate("scanning " + description, e);
        }
    }

    /** A row a scan leaves out: logged, and named in the page. */
    private LegacyPage.Unreadable skipped(Row row, UnreadableRecordException e) {
        String why = String.valueOf((e.getCause() != null ? e.getCause() : e).getMessage());
        log.warn("Legacy store: skipping the unreadable row with key '{}' of {} in a scan: {}",
                row.key(), description, why);
        String prefix = "cannot be read: ";
        int at = why.indexOf(prefix);
        return new LegacyPage.Unreadable(Optional.ofNullable(e.id()), keyText(row.key()),
                at < 0 ? why : why.substring(at + prefix.length()));
    }

    private static String keyText(String key) {
        return key == null ? "(null key)" : key;
    }

    /**
     * The rows no scan of a kind can place in its order, named on the first page of a scan: those of
     * {@code kind} whose timestamp or key is null, and, on the first kind's scan (the table has a kind
     * column), those whose kind is null or none of the known kinds. Such rows are few (each is
     * damage an operator repairs), so they are read whole, keys only.
     */
    private List<LegacyPage.Unreadable> unplaceable(Connection c, AuditKind kind) throws SQLException {
        String idColumn = LegacyTableMapping.quote(mapping.idColumn());
        String ts = LegacyTableMapping.quote(mapping.timestampColumn());
        List<LegacyPage.Unreadable> found = new ArrayList<>();
        String unordered = "SELECT " + idColumn + "::text FROM " + mapping.quotedTable() + " WHERE (" + ts
                + " IS NULL OR " + idColumn + " IS NULL)" + kindFilter(" AND ") + " ORDER BY 1";
        try (PreparedStatement s = c.prepareStatement(unordered)) {
            if (mapping.kindColumn() != null) {
                s.setString(1, kind.pathName());
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(1);
                    found.add(unplaceable(key, key == null ? "the id column is null" : "the timestamp column is null"));
                }
            }
        }
        if (mapping.kindColumn() != null && kind == AuditKind.values()[0]) {
            String kindColumn = LegacyTableMapping.quote(mapping.kindColumn());
            String unknownKind = "SELECT " + idColumn + "::text, " + kindColumn + " FROM " + mapping.quotedTable()
                    + " WHERE " + kindColumn + " IS NULL OR " + kindColumn + " <> ALL (?) ORDER BY 1";
            try (PreparedStatement s = c.prepareStatement(unknownKind)) {
                s.setArray(1, c.createArrayOf("text", java.util.Arrays.stream(AuditKind.values())
                        .map(AuditKind::pathName).toArray()));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        found.add(unplaceable(rs.getString(1), "its kind '" + rs.getString(2) + "' is none of "
                                + AuditKind.allowedPathNames()));
                    }
                }
            }
        }
        return found;
    }

    private LegacyPage.Unreadable unplaceable(String key, String why) {
        log.warn("Legacy store: skipping the unreadable row with key '{}' of {} in a scan: {}", keyText(key),
                description, why);
        return new LegacyPage.Unreadable(idOf(key), keyText(key), why);
    }

    /** The id a row's key maps to; none for a null or empty key. */
    private static Optional<UUID> idOf(String key) {
        return key == null || key.isEmpty() ? Optional.empty() : Optional.of(LegacyIds.toUuid(key));
    }

    private String kindFilter(String prefix) {
        return mapping.kindColumn() == null ? "" : prefix + LegacyTableMapping.quote(mapping.kindColumn()) + " = ?";
    }

    @Override
    public long count(AuditKind kind) {
        if (mapping.fixedKind() != null && kind != mapping.fixedKind()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM " + mapping.quotedTable() + kindFilter(" WHERE "))) {
            if (mapping.kindColumn() != null) {
                s.setString(1, kind.pathName());
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw translate("counting " + description, e);
        }
    }

    /** Reads the current row; a value that cannot be read is kept as the row's damage, reported by {@link #toRecord}. */
    private Row row(ResultSet rs) throws SQLException {
        int i = 1;
        String key = rs.getString(i++);
        Instant createdAt = timestampType == ColumnType.TIMESTAMPTZ
                ? Optional.ofNullable(rs.getObject(i++, OffsetDateTime.class)).map(OffsetDateTime::toInstant).orElse(null)
                : Optional.ofNullable(rs.getObject(i++, LocalDateTime.class)).map(t -> t.toInstant(ZoneOffset.UTC)).orElse(null);
        String kind = mapping.kindColumn() != null ? rs.getString(i++) : mapping.fixedKind().pathName();
        try {
            if (createdAt == null) {
                throw new IllegalArgumentException("the timestamp column is null");
            }
            Map<String, Object> document;
            if (mapping.documentColumn() != null) {
                String json = rs.getString(i);
                if (json == null) {
                    throw new IllegalArgumentException("the document column is null");
                }
                document = LegacyJson.readObject(json);
            } else {
                document = new LinkedHashMap<>();
                for (Map.Entry<String, String> field : mapping.fields().entrySet()) {
                    Object value = fieldValue(rs, i++, ColumnType.of(fieldTypeNames.get(field.getValue())));
                    if (value != null) {
                        document.put(field.getKey(), value);
                    }
                }
            }
            return new Row(key, createdAt, kind, document, null);
        } catch (JacksonException | IllegalArgumentException e) {
            return new Row(key, createdAt, kind, null, e);
        }
    }

    private static Object fieldValue(ResultSet rs, int column, ColumnType type) throws SQLException {
        String text = rs.getString(column);
        if (text == null) {
            return null;
        }
        return switch (type) {
            case INTEGER -> {
                long value = Long.parseLong(text);
                yield value == (int) value ? (Object) (int) value : (Object) value;
            }
            case DECIMAL -> new BigDecimal(text);
            case BOOLEAN -> rs.getBoolean(column);
            case JSON -> LegacyJson.readValue(text);
            case TIMESTAMPTZ -> rs.getObject(column, OffsetDateTime.class).toInstant().toString();
            case TIMESTAMP -> rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC).toString();
            default -> text;
        };
    }

    private LegacyRecord toRecord(Row row) {
        UUID id = idOf(row.key()).orElse(null);
        if (id == null) {
            throw unreadable(null, row, "its key is null or empty", null);
        }
        if (row.damage() != null) {
            throw unreadable(id, row, row.damage().getMessage(), row.damage());
        }
        AuditKind kind = AuditKind.fromPathName(row.kind())
                .orElseThrow(() -> unreadable(id, row, "its kind '" + row.kind() + "' is none of "
                        + AuditKind.allowedPathNames(), null));
        return LegacyRecord.fromLegacy(row.key(), kind, row.createdAt(), row.document());
    }

    private UnreadableRecordException unreadable(UUID id, Row row, String why, Throwable cause) {
        return new UnreadableRecordException(Component.LEGACY_STORE, id,
                new IllegalStateException("legacy store: the row with key '" + row.key() + "' of " + description
                        + " cannot be read: " + why, cause));
    }

    private static boolean fits(ColumnType idType, String key) {
        return switch (idType) {
            case UUID -> LegacyIds.isUuid(key);
            case INTEGER -> key.matches("-?[0-9]{1,19}") && fitsLong(key);
            default -> true;
        };
    }

    private static boolean fitsLong(String key) {
        try {
            Long.parseLong(key);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- health, errors

    @Override
    public LegacyHealth health() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT 1 FROM " + mapping.quotedTable() + " WHERE false");
            return LegacyHealth.up(description);
        } catch (SQLException | RuntimeException e) {
            return LegacyHealth.down(description + ": " + (e instanceof SQLException sql
                    ? "SQLSTATE " + sql.getSQLState() + " " + sql.getMessage() : e.toString()));
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /**
     * Connection problems, resource exhaustion, shutdowns and serialisation failures are transient
     * (SQLSTATE classes 08, 53, 57, 40), as in store-postgres; anything else is unexpected.
     */
    private static RuntimeException translate(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57") || state.startsWith("40")
                || e instanceof SQLTransientException) {
            return new LegacyStoreUnavailableException("PostgreSQL unavailable while " + what + " (SQLSTATE " + state + ")", e);
        }
        return new StoreException(Component.LEGACY_STORE, "legacy store: PostgreSQL failed while " + what
                + " (SQLSTATE " + state + ")", e);
    }

    @Override
    public String toString() {
        return "PostgresLegacyStore[" + description + "]";
    }
}
