package io.datastorage.legacy.json;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.config.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LegacyJsonConfigTest {
    @TempDir
    Path temp;

    @Test
    void aMissingPathIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> new LegacyJsonConfig(null))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("datastorage.migration.legacy.path must be set to a directory, was empty");
    }

    @Test
    void aRegularFileIsRefusedNamingThePropertyTheValueAndWhatIsAllowed() throws IOException {
        Path file = Files.writeString(temp.resolve("records.json"), "[]");

        assertThatThrownBy(() -> new LegacyJsonConfig(file))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("datastorage.migration.legacy.path must be a writable directory, or a path where one can be "
                        + "created, was '" + file + "' (not a directory)");
    }

    @Test
    void aPathBelowARegularFileCannotBeCreatedAndIsRefused() throws IOException {
        Path file = Files.writeString(temp.resolve("records.json"), "[]");

        assertThatThrownBy(() -> new LegacyJsonConfig(file.resolve("legacy")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("datastorage.migration.legacy.path must be a writable directory")
                .hasMessageContaining(file + " is not a directory");
    }

    @Test
    void aMissingDirectoryIsCreatedWhenTheStoreOpens() {
        Path dir = temp.resolve("a/b/legacy");
        LegacyJsonConfig config = new LegacyJsonConfig(dir);

        try (JsonFilesLegacyStore store = config.open()) {
            assertThat(dir).isDirectory();
            assertThat(store.health().up()).isTrue();
            assertThat(store.count(AuditKind.REMEDIATION)).isZero();
        }
    }
}
