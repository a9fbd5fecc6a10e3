package io.datastorage.legacy.json;

import io.datastorage.core.config.InvalidConfigException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the JSON-files legacy store lives. Immutable; checked when built: the path must be a
 * writable directory, or not exist yet under a writable directory (then {@link #open()} creates it).
 * A bad value is an {@link InvalidConfigException} naming {@value #PATH_PROPERTY}, the value and
 * what is allowed.
 *
 * @param path the store's directory
 */
public record LegacyJsonConfig(Path path) {
    /** The property an operator sets (environment: {@code DATASTORAGE_MIGRATION_LEGACY_PATH}). */
    public static final String PATH_PROPERTY = "datastorage.migration.legacy.path";
    private static final String ALLOWED = "must be a writable directory, or a path where one can be created";

    public LegacyJsonConfig {
        if (path == null || path.toString().isBlank()) {
            throw new InvalidConfigException(PATH_PROPERTY, "must be set to a directory", "empty");
        }
        Path absolute = path.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            if (!Files.isDirectory(absolute)) {
                throw refused(path, "not a directory");
            }
            if (!Files.isWritable(absolute)) {
                throw refused(path, "not writable");
            }
        } else {
            Path ancestor = absolute.getParent();
            while (ancestor != null && !Files.exists(ancestor)) {
                ancestor = ancestor.getParent();
            }
            if (ancestor == null || !Files.isDirectory(ancestor)) {
                throw refused(path, ancestor + " is not a directory");
            }
            if (!Files.isWritable(ancestor)) {
                throw refused(path, ancestor + " is not writable");
            }
        }
    }

    private static InvalidConfigException refused(Path path, String why) {
        return new InvalidConfigException(PATH_PROPERTY, ALLOWED, "'" + path + "' (" + why + ")");
    }

    /** Opens the store, creating its directory when missing; see {@link JsonFilesLegacyStore#open}. */
    public JsonFilesLegacyStore open() {
        return JsonFilesLegacyStore.open(path);
    }
}
