package io.datastorage.legacy.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.config.InvalidConfigException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * How a legacy table holds audit records. Loaded from a Java properties file (parsed by the JDK's
 * {@link Properties}, UTF-8); see {@code example-mapping.properties} next to this class:
 * <pre>
 * table=audit_events                 # the table, optionally schema-qualified (legacy.audit_events)
 * id-column=event_id                 # the record's key: text, varchar, uuid or an integer type
 * timestamp-column=created_at        # createdAt: timestamptz, or timestamp (read as UTC)
 * kind-column=event_type             # the kind's path name (remediation, aianalysis, ...), or instead:
 * kind=remediation                   #   every row is of this kind
 * document-column=payload            # the whole document: jsonb, json or text; or instead, one per field:
 * field.correlationId=correlation_id #   field.&lt;document field&gt;=&lt;column&gt;
 * </pre>
 * Exactly one of {@code kind-column} and {@code kind}, and exactly one of {@code document-column}
 * and {@code field.*}. Names are plain SQL identifiers (letters, digits, underscores, at most 63
 * characters), matched as PostgreSQL folds unquoted names (lower case). A bad or unknown key is an
 * {@link InvalidConfigException} naming that key, the value and what is allowed.
 *
 * @param table           the table, {@code name} or {@code schema.name}
 * @param idColumn        the column holding each record's key (its legacy id, or its UUID as text)
 * @param timestampColumn the column holding each record's createdAt
 * @param kindColumn      the column holding each record's kind, or {@code null} with {@code fixedKind}
 * @param fixedKind       the kind of every row, or {@code null} with {@code kindColumn}
 * @param documentColumn  the column holding the document as JSON, or {@code null} with {@code fields}
 * @param fields          document field → column, by field name; empty with {@code documentColumn}
 */
public record LegacyTableMapping(String table, String idColumn, String timestampColumn, String kindColumn,
                                 AuditKind fixedKind, String documentColumn, Map<String, String> fields) {
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");
    private static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Set<String> KEYS =
            Set.of("table", "id-column", "timestamp-column", "kind-column", "kind", "document-column");
    private static final String COLUMN = "must be a column name (letters, digits and _, at most 63 characters)";

    public LegacyTableMapping {
        check("table", table, TABLE, "must be a table name, optionally schema-qualified (letters, digits and _)");
        check("id-column", idColumn, IDENTIFIER, COLUMN);
        check("timestamp-column", timestampColumn, IDENTIFIER, COLUMN);
        if ((kindColumn == null) == (fixedKind == null)) {
            throw new InvalidConfigException("kind-column", "must be set, or else kind (exactly one of them)",
                    kindColumn == null ? "empty" : "'" + kindColumn + "' with kind=" + fixedKind.pathName());
        }
        if (kindColumn != null) {
            check("kind-column", kindColumn, IDENTIFIER, COLUMN);
        }
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(fields, "fields")));
        if ((documentColumn == null) == fields.isEmpty()) {
            throw new InvalidConfigException("document-column", "must be set, or else field.<name> keys (exactly one of them)",
                    documentColumn == null ? "empty" : "'" + documentColumn + "' with " + fields.size() + " field.* keys");
        }
        if (documentColumn != null) {
            check("document-column", documentColumn, IDENTIFIER, COLUMN);
        }
        Set<String> reserved = new TreeSet<>();
        reserved.add(idColumn.toLowerCase(Locale.ROOT));
        reserved.add(timestampColumn.toLowerCase(Locale.ROOT));
        if (kindColumn != null) {
            reserved.add(kindColumn.toLowerCase(Locale.ROOT));
        }
        Set<String> used = new TreeSet<>();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            String key = "field." + field.getKey();
            if (!FIELD.matcher(field.getKey()).matches()) {
                throw new InvalidConfigException(key, "must name a document field (letters, digits and _)", "'" + key + "'");
            }
            check(key, field.getValue(), IDENTIFIER, COLUMN);
            String column = field.getValue().toLowerCase(Locale.ROOT);
            if (reserved.contains(column)) {
                throw new InvalidConfigException(key, "must name a column other than the id, timestamp and kind columns",
                        "'" + field.getValue() + "'");
            }
            if (!used.add(column)) {
                throw new InvalidConfigException(key, "must name a column no other field uses", "'" + field.getValue() + "'");
            }
        }
    }

    private static void check(String key, String value, Pattern pattern, String allowed) {
        if (value == null || value.isBlank()) {
            throw new InvalidConfigException(key, "must be set", "empty");
        }
        if (!pattern.matcher(value).matches()) {
            throw new InvalidConfigException(key, allowed, "'" + value + "'");
        }
    }

    /**
     * Reads a mapping file. A failure names the bad key and ends with {@code in mapping file <file>}.
     *
     * @throws InvalidConfigException the file cannot be read, or a key is unknown, missing or bad
     */
    public static LegacyTableMapping load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidConfigException(LegacyPostgresConfig.MAPPING_FILE_PROPERTY,
                    "must be a readable properties file (" + e.getMessage() + ")", "'" + file + "'");
        }
        try {
            return parse(properties);
        } catch (InvalidConfigException e) {
            InvalidConfigException located = new InvalidConfigException(e.setting(),
                    e.requirement() + " in mapping file " + file, e.was());
            located.setStackTrace(e.getStackTrace());
            throw located;
        }
    }

    /** The mapping the properties describe; see {@link #load}. */
    public static LegacyTableMapping parse(Properties properties) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            String value = properties.getProperty(key).strip();
            if (key.startsWith("field.")) {
                fields.put(key.substring("field.".length()), value);
            } else if (!KEYS.contains(key)) {
                throw new InvalidConfigException(key, "is not a mapping key (allowed: table, id-column, timestamp-column, "
                        + "kind-column or kind, document-column or field.<name>)", "'" + value + "'");
            }
        }
        String kind = blankToNull(properties.getProperty("kind"));
        AuditKind fixedKind = null;
        if (kind != null) {
            fixedKind = AuditKind.fromPathName(kind).orElseThrow(() -> new InvalidConfigException("kind",
                    "must be one of " + AuditKind.allowedPathNames(), "'" + kind + "'"));
        }
        return new LegacyTableMapping(blankToNull(properties.getProperty("table")),
                blankToNull(properties.getProperty("id-column")), blankToNull(properties.getProperty("timestamp-column")),
                blankToNull(properties.getProperty("kind-column")), fixedKind,
                blankToNull(properties.getProperty("document-column")), fields);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** {@code table} quoted for SQL: each part lower-cased (as PostgreSQL folds unquoted names) and quoted. */
    String quotedTable() {
        StringBuilder quoted = new StringBuilder();
        for (String part : table.split("\\.")) {
            if (!quoted.isEmpty()) {
                quoted.append('.');
            }
            quoted.append(quote(part));
        }
        return quoted.toString();
    }

    /** A checked identifier, lower-cased and quoted. */
    static String quote(String identifier) {
        return "\"" + identifier.toLowerCase(Locale.ROOT) + "\"";
    }
}
