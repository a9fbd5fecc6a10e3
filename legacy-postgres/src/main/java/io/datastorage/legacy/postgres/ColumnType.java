package io.datastorage.legacy.postgres;

import java.util.Locale;

/** The kinds of column the legacy store reads and writes, by PostgreSQL's type name. */
enum ColumnType {
    TEXT, INTEGER, DECIMAL, BOOLEAN, JSON, UUID, TIMESTAMPTZ, TIMESTAMP, OTHER;

    /**
     * The type to cast a parameter to: the driver names a column filled from a sequence by its
     * declaration ({@code bigserial}), which is no type a value can be cast to.
     */
    static String castable(String typeName) {
        return switch (typeName.toLowerCase(Locale.ROOT)) {
            case "bigserial" -> "int8";
            case "serial" -> "int4";
            case "smallserial" -> "int2";
            default -> typeName;
        };
    }

    static ColumnType of(String typeName) {
        return switch (typeName.toLowerCase(Locale.ROOT)) {
            case "text", "varchar", "bpchar", "name" -> TEXT;
            case "int2", "int4", "int8" -> INTEGER;
            case "numeric", "float4", "float8" -> DECIMAL;
            case "bool" -> BOOLEAN;
            case "json", "jsonb" -> JSON;
            case "uuid" -> UUID;
            case "timestamptz" -> TIMESTAMPTZ;
            case "timestamp" -> TIMESTAMP;
            default -> OTHER;
        };
    }
}
