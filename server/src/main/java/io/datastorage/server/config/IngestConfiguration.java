package io.datastorage.server.config;

import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.embedding.RecordEmbedder;
import io.datastorage.core.ingest.IngestService;
import io.datastorage.core.ingest.RecordWriter;
import io.datastorage.server.migration.MigrationRouting;
import io.datastorage.server.web.JsonBodies;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The write use case ({@link IngestService}) over whichever coordinator the index type chose, or,
 * with a migration, over its router; the REST API calls it, and so will anything else that
 * ingests records.
 */
@Configuration(proxyBeanMethods = false)
public class IngestConfiguration {

    /** Keys stored before the canonical fingerprint still match through {@link JsonBodies#legacyFingerprint}. */
    @Bean
    IngestService ingestService(AuditValidator validator, RecordEmbedder embedder, DualWriteCoordinator coordinator,
                                JsonBodies bodies, ObjectProvider<MigrationRouting> migration) {
        MigrationRouting routing = migration.getIfAvailable();
        // With a migration, writes go through its router (by phase); without one, to the coordinator as always.
        RecordWriter writer = routing == null ? coordinator::write : routing.writer();
        return new IngestService(validator, embedder, writer, bodies::legacyFingerprint);
    }
}
