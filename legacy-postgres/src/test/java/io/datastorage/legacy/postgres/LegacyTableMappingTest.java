package io.datastorage.legacy.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.config.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LegacyTableMappingTest {
    @TempDir
    Path temp;

    private static final String VALID = """
            table=audit_events
            id-column=event_id
            timestamp-column=created_at
            kind-column=event_type
            document-column=payload
            """;

    @Test
    void theShippedExampleMappingIsValid() throws IOException {
        Properties example = new Properties();
        try (InputStream in = LegacyTableMapping.class.getResourceAsStream("example-mapping.properties")) {
            example.load(in);
        }

        LegacyTableMapping mapping = LegacyTableMapping.parse(example);

        assertThat(mapping.table()).isEqualTo("legacy.audit_events");
        assertThat(mapping.quotedTable()).isEqualTo("\"legacy\".\"audit_events\"");
        assertThat(mapping.documentColumn()).isEqualTo("payload");
    }

    @Test
    void anUnknownKeyIsRefusedNamingItAndTheFile() throws IOException {
        Path file = Files.writeString(temp.resolve("m.properties"), VALID + "id-colum=id\n");

        assertThatThrownBy(() -> LegacyTableMapping.load(file))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("id-colum is not a mapping key (allowed: table, id-column,")
                .hasMessageContaining("in mapping file " + file)
                .hasMessageEndingWith("was 'id'");
    }

    @Test
    void aColumnNameThatIsNoPlainIdentifierIsRefused() throws IOException {
        Path file = Files.writeString(temp.resolve("m.properties"), VALID.replace("event_id", "id; DROP TABLE x"));

        assertThatThrownBy(() -> LegacyTableMapping.load(file))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("id-column must be a column name")
                .hasMessageEndingWith("was 'id; DROP TABLE x'");
    }

    @Test
    void bothAKindColumnAndAFixedKindAreRefused() throws IOException {
        Path file = Files.writeString(temp.resolve("m.properties"), VALID + "kind=workflow\n");

        assertThatThrownBy(() -> LegacyTableMapping.load(file))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("kind-column must be set, or else kind (exactly one of them)");
    }

    @Test
    void anUnknownFixedKindIsRefusedListingTheKinds() throws IOException {
        Path file = Files.writeString(temp.resolve("m.properties"),
                VALID.replace("kind-column=event_type", "kind=billing"));

        assertThatThrownBy(() -> LegacyTableMapping.load(file))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("kind must be one of remediation, aianalysis, workflow, execution");
    }

    @Test
    void fieldsInsteadOfADocumentColumnAreAccepted() throws IOException {
        Path file = Files.writeString(temp.resolve("m.properties"), VALID.replace("document-column=payload",
                "field.name=name\nfield.correlationId=corr").replace("kind-column=event_type", "kind=workflow"));

        LegacyTableMapping mapping = LegacyTableMapping.load(file);

        assertThat(mapping.fixedKind()).isEqualTo(AuditKind.WORKFLOW);
        assertThat(mapping.fields()).containsEntry("name", "name").containsEntry("correlationId", "corr");
    }

    @Test
    void aFieldOnTheIdColumnIsRefused() throws IOException {
        Path file = Files.writeString(temp.resolve("m.properties"), VALID.replace("document-column=payload",
                "field.name=event_id"));

        assertThatThrownBy(() -> LegacyTableMapping.load(file))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("field.name must name a column other than the id, timestamp and kind columns");
    }

    @Test
    void aMissingMappingFileIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> new LegacyPostgresConfig("jdbc:postgresql://db:5432/legacy", "u", null,
                temp.resolve("absent.properties")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("datastorage.migration.legacy.mapping-file must be a readable file, was '");
    }

    @Test
    void aUrlThatIsNotPostgresIsRefusedNamingTheProperty() throws IOException {
        Path file = Files.writeString(temp.resolve("m.properties"), VALID);

        assertThatThrownBy(() -> new LegacyPostgresConfig("jdbc:mysql://db/legacy", "u", null, file))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("datastorage.migration.legacy.db-url must be a PostgreSQL JDBC URL "
                        + "(jdbc:postgresql://host:port/database), was 'jdbc:mysql://db/legacy'");
    }

    @Test
    void thePoolHasSaneDefaultsAndRefusesSizesAndTimeoutsOutOfRangeNamingTheProperty() throws IOException {
        Path file = Files.writeString(temp.resolve("m.properties"), VALID);
        String url = "jdbc:postgresql://db:5432/legacy";

        LegacyPostgresConfig defaults = new LegacyPostgresConfig(url, "u", null, file);
        assertThat(defaults.poolSize()).isEqualTo(4);
        assertThat(defaults.connectionTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(defaults.socketTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));

        assertThatThrownBy(() -> new LegacyPostgresConfig(url, "u", null, file, 0, defaults.connectionTimeout(),
                defaults.socketTimeout()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("datastorage.migration.legacy.db-pool-size must be 1..100, was 0");
        assertThatThrownBy(() -> new LegacyPostgresConfig(url, "u", null, file, 4, java.time.Duration.ofMillis(100),
                defaults.socketTimeout()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("datastorage.migration.legacy.db-connection-timeout must be at least 250ms, was PT0.1S");
        assertThatThrownBy(() -> new LegacyPostgresConfig(url, "u", null, file, 4, defaults.connectionTimeout(),
                java.time.Duration.ofMillis(1500)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("datastorage.migration.legacy.db-socket-timeout must be whole seconds, at least 1s, was PT1.5S");
    }
}
