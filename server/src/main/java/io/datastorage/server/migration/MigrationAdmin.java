package io.datastorage.server.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyHealth;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.MigrationPhase;
import io.datastorage.core.migration.MigrationReads;
import io.datastorage.core.migration.PhaseChange;
import io.datastorage.core.migration.PhaseState;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.PhaseWatcher;
import io.datastorage.server.config.DatastorageProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What the migration's admin API shows and does: the status (phase, history, stores, queue,
 * shadow reads, policy), a phase change (compare-and-set on the version, then this replica sees it
 * at once; the others within a second), and one record as both stores hold it.
 */
public final class MigrationAdmin {
    private static final Logger log = LoggerFactory.getLogger(MigrationAdmin.class);
    /** History entries the status shows, newest first. */
    static final int HISTORY = 20;

    private final PhaseStore phases;
    private final PhaseWatcher watcher;
    private final LegacyStore legacy;
    private final MigrationReads reads;
    private final MigrationMetrics metrics;
    private final DatastorageProperties.Migration settings;

    public MigrationAdmin(PhaseStore phases, PhaseWatcher watcher, LegacyStore legacy, MigrationReads reads,
                          MigrationMetrics metrics, DatastorageProperties.Migration settings) {
        this.phases = Objects.requireNonNull(phases, "phases");
        this.watcher = Objects.requireNonNull(watcher, "watcher");
        this.legacy = Objects.requireNonNull(legacy, "legacy");
        this.reads = Objects.requireNonNull(reads, "reads");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The status, read from the stores now. When PostgreSQL does not answer, the phase is this
     * replica's cached one, the history is empty and {@code stores.new.up} is false: the status
     * still answers, since that is when it is needed.
     */
    public Map<String, Object> status() {
        PhaseState state;
        List<PhaseChange> history;
        boolean newUp;
        try {
            state = phases.current().orElseGet(watcher::current);
            history = phases.history(HISTORY);
            newUp = true;
        } catch (RuntimeException e) {
            log.warn("Migration status: the phase store did not answer; showing the cached phase: {}", e.getMessage());
            state = watcher.current();
            history = List.of();
            newUp = false;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("phase", state.phase().name());
        body.put("version", state.version());
        body.put("changedAt", state.changedAt().toString());
        body.put("allowedMoves", state.phase().allowedMoves().stream().map(MigrationPhase::name).toList());
        body.put("history", history.stream().map(MigrationAdmin::change).toList());
        LegacyHealth health = legacy.health();
        Map<String, Object> legacyStore = new LinkedHashMap<>();
        legacyStore.put("type", settings.legacy().type().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        legacyStore.put("up", health.up());
        legacyStore.put("detail", health.detail());
        body.put("stores", Map.of("legacy", legacyStore, "new", Map.of("up", newUp)));
        Map<String, Object> queue = new LinkedHashMap<>();
        metrics.backlog().ifPresentOrElse(backlog -> {
            queue.put("depth", backlog.depth());
            queue.put("oldestAgeSeconds", metrics.ageSeconds(backlog));
        }, () -> {
            queue.put("depth", null);
            queue.put("oldestAgeSeconds", null);
        });
        body.put("secondaryQueue", queue);
        body.put("shadowReads", metrics.shadowReads());
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("secondary", settings.secondary());
        policy.put("secondaryMode", settings.secondaryMode());
        policy.put("shadowReadRatio", settings.shadowReadRatio());
        body.put("policy", policy);
        return body;
    }

    private static Map<String, Object> change(PhaseChange change) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("version", change.version());
        entry.put("from", change.previous().map(MigrationPhase::name).orElse(null));
        entry.put("to", change.to().name());
        entry.put("at", change.at().toString());
        entry.put("by", change.who());
        entry.put("reason", change.reason());
        return entry;
    }

    /**
     * Moves the phase (see {@link PhaseStore#change}), then refreshes this replica's view so that
     * its next write runs under the new phase.
     *
     * @return the status after the change
     * @throws io.datastorage.core.migration.StalePhaseVersionException      another change came first
     * @throws io.datastorage.core.migration.IllegalPhaseTransitionException not a move of the table
     */
    public Map<String, Object> changePhase(MigrationPhase to, long expectedVersion, String who, String reason) {
        PhaseState changed = phases.change(expectedVersion, to, who, reason);
        log.info("Migration phase moved to {} (version {}) by {}: {}", changed.phase(), changed.version(), who,
                reason.isEmpty() ? "no reason given" : reason);
        try {
            watcher.refresh();
        } catch (RuntimeException e) {
            log.warn("Could not refresh the migration phase after changing it; the schedule will: {}", e.getMessage());
        }
        return status();
    }

    /**
     * One record as both stores hold it ({@link MigrationReads#compare}: the document in canonical
     * JSON, the kind and the legacy id).
     *
     * @return empty when neither store holds it
     */
    public Optional<Map<String, Object>> compare(AuditKind kind, UUID id) {
        MigrationReads.RecordComparison comparison = reads.compare(kind, id);
        if (comparison.legacy().isEmpty() && comparison.newSide().isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id.toString());
        body.put("kind", kind.pathName());
        body.put("legacy", comparison.legacy().map(MigrationAdmin::recordBody).orElse(null));
        body.put("new", comparison.newSide().map(MigrationAdmin::recordBody).orElse(null));
        body.put("agree", comparison.agree());
        body.put("differences", comparison.differences());
        return Optional.of(body);
    }

    private static Map<String, Object> recordBody(LegacyRecord record) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", record.id().toString());
        body.put("kind", record.kind().pathName());
        body.put("createdAt", record.createdAt().toString());
        body.put("legacyId", record.legacyId());
        body.put("document", record.document());
        return body;
    }
}
