package io.datastorage.server.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.BackfillDirection;
import io.datastorage.core.migration.BackfillResult;
import io.datastorage.core.migration.IllegalPhaseTransitionException;
import io.datastorage.core.migration.LegacyHealth;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.MigrationPhase;
import io.datastorage.core.migration.MigrationReads;
import io.datastorage.core.migration.MigrationRuns;
import io.datastorage.core.migration.PhaseChange;
import io.datastorage.core.migration.PhaseState;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.PhaseTransition;
import io.datastorage.core.migration.PhaseWatcher;
import io.datastorage.core.migration.PromotionGates;
import io.datastorage.core.migration.SecondaryWriteQueue;
import io.datastorage.core.migration.StalePhaseVersionException;
import io.datastorage.core.migration.SyncReport;
import io.datastorage.core.migration.ValidationResult;
import io.datastorage.server.config.DatastorageProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What the migration's admin API shows and does: the status (phase, history, stores, queue,
 * shadow reads, policy, the promotion gates of each allowed move, the last runs, the phase store's
 * health), a phase change (the promotion gates unless forced, then a compare-and-set on the version,
 * then this replica sees it at once; the others within a second), and one record as both stores hold it.
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
    private final MigrationRuns runs;
    private final SecondaryWriteQueue queue;

    public MigrationAdmin(PhaseStore phases, PhaseWatcher watcher, LegacyStore legacy, MigrationReads reads,
                          MigrationMetrics metrics, DatastorageProperties.Migration settings, MigrationRuns runs,
                          SecondaryWriteQueue queue) {
        this.runs = Objects.requireNonNull(runs, "runs");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.phases = Objects.requireNonNull(phases, "phases");
        this.watcher = Objects.requireNonNull(watcher, "watcher");
        this.legacy = Objects.requireNonNull(legacy, "legacy");
        this.reads = Objects.requireNonNull(reads, "reads");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The status, read from the stores now. When PostgreSQL does not answer, the phase is this
     * replica's cached one (the last known: {@code phaseStore.up} is false, and says since when),
     * the history is empty, {@code stores.new.up} is false, every gate refuses and the last runs
     * are null: the status still answers, since that is when it is needed.
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
        body.put("gates", gates(state, newUp));
        Optional<ValidationResult> lastValidation = Optional.empty();
        Map<String, Object> lastBackfill = new LinkedHashMap<>();
        for (BackfillDirection direction : BackfillDirection.values()) {
            lastBackfill.put(direction.value(), null);
        }
        if (newUp) {
            try {
                lastValidation = runs.lastValidation();
                for (BackfillDirection direction : BackfillDirection.values()) {
                    lastBackfill.put(direction.value(), runs.lastBackfill(direction).map(MigrationAdmin::backfill).orElse(null));
                }
            } catch (RuntimeException e) {
                log.warn("Migration status: the last runs could not be read: {}", e.getMessage());
            }
        }
        body.put("lastValidation", lastValidation.map(MigrationAdmin::validation).orElse(null));
        body.put("lastBackfill", lastBackfill);
        body.put("phaseStore", phaseStore(newUp));
        return body;
    }

    /**
     * Whether the phase store answers this replica ({@link PhaseWatcher#storeHealth()}); down too
     * when it did not answer this status, though the watcher's last refresh did.
     */
    private Map<String, Object> phaseStore(boolean answeredNow) {
        PhaseWatcher.StoreHealth health = watcher.storeHealth();
        boolean up = health.up() && answeredNow;
        Map<String, Object> phaseStore = new LinkedHashMap<>();
        phaseStore.put("up", up);
        phaseStore.put("lastRefreshedAt", health.lastRefreshedAt() == null ? null : health.lastRefreshedAt().toString());
        phaseStore.put("downSince", health.downSince() == null ? null : health.downSince().toString());
        phaseStore.put("detail", up ? null : health.detail() != null ? health.detail()
                : "the phase store did not answer this status; the phase shown is the last known one");
        return phaseStore;
    }

    /** Each allowed move with the gates' refusals (empty: it may be made now). */
    private List<Map<String, Object>> gates(PhaseState state, boolean storeUp) {
        List<String> unreadable = null;
        PromotionGates.Facts facts = null;
        if (!storeUp) {
            unreadable = List.of("The phase store (PostgreSQL) does not answer: no move can be made or checked now.");
        } else {
            try {
                facts = facts(state, metrics.backlog());
            } catch (RuntimeException e) {
                unreadable = List.of("The facts the gates read (the last runs, the phase history) could not be read: "
                        + e.getMessage());
            }
        }
        List<Map<String, Object>> gates = new ArrayList<>();
        for (MigrationPhase to : state.phase().allowedMoves()) {
            Map<String, Object> gate = new LinkedHashMap<>();
            gate.put("to", to.name());
            gate.put("refusals", facts == null ? unreadable : PromotionGates.refusals(facts, to));
            gates.add(gate);
        }
        return gates;
    }

    /** What the gates read, now: the last runs and the phase history back to the start of the dual writes. */
    private PromotionGates.Facts facts(PhaseState state, Optional<SecondaryWriteQueue.Backlog> backlog) {
        return new PromotionGates.Facts(state, backlog, runs.lastValidation(),
                runs.lastBackfill(BackfillDirection.LEGACY_TO_NEW), phases.historySinceDualWritingBegan());
    }

    /**
     * A finished validation as the API shows it, one shape everywhere: {@code POST} and {@code GET
     * /api/v1/admin/migration/validate} and the status's {@code lastValidation} (the
     * {@code ValidationReport} schema): the report, the phase version it started under, whether it
     * repaired.
     */
    public static Map<String, Object> validation(ValidationResult result) {
        SyncReport report = result.report();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("checked", report.checked());
        body.put("missingInNew", report.missingInNew());
        body.put("missingInLegacy", report.missingInLegacy());
        body.put("differing", report.differing());
        body.put("unreadable", report.unreadable());
        body.put("repaired", report.repaired());
        body.put("consistent", report.consistent());
        body.put("durationMillis", report.durationMillis());
        body.put("startedAt", report.startedAt().toString());
        body.put("finishedAt", result.finishedAt().toString());
        body.put("phaseVersion", result.phaseVersion());
        body.put("repair", result.repair());
        Map<String, Object> examples = new LinkedHashMap<>();
        examples.put("missingInNew", report.missingInNewIds().stream().map(UUID::toString).toList());
        examples.put("missingInLegacy", report.missingInLegacyIds().stream().map(UUID::toString).toList());
        examples.put("differing", report.differingIds().stream().map(UUID::toString).toList());
        examples.put("unreadable", report.unreadableKeys());
        body.put("examples", examples);
        return body;
    }

    /**
     * A finished backfill as the API shows it, one shape everywhere: {@code POST} and {@code GET
     * /api/v1/admin/migration/backfill} and the status's {@code lastBackfill} (the
     * {@code BackfillResult} schema).
     */
    public static Map<String, Object> backfill(BackfillResult result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("direction", result.direction().value());
        body.put("phaseVersion", result.phaseVersion());
        body.put("startedAt", result.startedAt().toString());
        body.put("finishedAt", result.finishedAt().toString());
        body.put("complete", result.complete());
        body.put("scanned", result.scanned());
        body.put("copied", result.copied());
        body.put("skipped", result.skipped());
        body.put("unreadable", result.unreadable());
        body.put("error", result.error().orElse(null));
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
        entry.put("forced", change.forced());
        return entry;
    }

    /**
     * Moves the phase (see {@link PhaseStore#change}) if the promotion gates let it ({@link
     * PromotionGates}, read now: the queue's backlog fresh, not the metrics' cached one) or
     * {@code force} skips them, then refreshes this replica's view so that its next write runs
     * under the new phase. The gates are asked under {@code expectedVersion}, and the change names
     * it: a change that slipped in after the gates were asked fails as stale.
     *
     * @return the status after the change
     * @throws StalePhaseVersionException      another change came first (checked before the gates)
     * @throws IllegalPhaseTransitionException not a move of the table
     * @throws GateRefusedException            not forced, and a gate refuses
     * @throws IllegalArgumentException        forced without a non-blank reason
     */
    public Map<String, Object> changePhase(MigrationPhase to, long expectedVersion, String who, String reason,
                                           boolean force) {
        if (force) {
            if (reason.isBlank()) {
                throw new IllegalArgumentException("a forced phase change must give a reason");
            }
        } else {
            PhaseState current = phases.current().orElseThrow(() -> new IllegalStateException(
                    "no migration phase is stored yet"));
            if (current.version() != expectedVersion) {
                throw new StalePhaseVersionException(expectedVersion, current);
            }
            PhaseTransition.between(current.phase(), to);
            Optional<SecondaryWriteQueue.Backlog> backlog;
            try {
                backlog = Optional.of(queue.backlog());
            } catch (RuntimeException e) {
                log.warn("Migration phase change: the secondary queue's backlog could not be read: {}", e.getMessage());
                backlog = Optional.empty();
            }
            List<String> refusals = PromotionGates.refusals(facts(current, backlog), to);
            if (!refusals.isEmpty()) {
                log.info("Migration phase change to {} from version {} by {} refused by the gates: {}", to,
                        expectedVersion, who, refusals);
                throw new GateRefusedException(current, to, refusals);
            }
        }
        PhaseState changed = phases.change(expectedVersion, to, who, reason, force);
        log.info("Migration phase moved to {} (version {}) by {}{}: {}", changed.phase(), changed.version(), who,
                force ? ", forced past the gates" : "", reason.isEmpty() ? "no reason given" : reason);
        try {
            watcher.refresh();
        } catch (RuntimeException e) {
            log.warn("Could not refresh the migration phase after changing it; the schedule will: {}", e.getMessage());
        }
        return status();
    }

    /** A phase change the promotion gates refused: {@code refusals} says why, one sentence each. */
    public static final class GateRefusedException extends RuntimeException {
        private final transient PhaseState current;
        private final MigrationPhase to;
        private final List<String> refusals;

        GateRefusedException(PhaseState current, MigrationPhase to, List<String> refusals) {
            super("The move from " + current.phase() + " (version " + current.version() + ") to " + to
                    + " is refused by " + refusals.size() + " promotion gate" + (refusals.size() == 1 ? "" : "s")
                    + "; meet them, or force the move with a reason.");
            this.current = current;
            this.to = to;
            this.refusals = List.copyOf(refusals);
        }

        public PhaseState current() {
            return current;
        }

        public MigrationPhase to() {
            return to;
        }

        public List<String> refusals() {
            return refusals;
        }
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
        body.put("new", comparison.newSide().map(MigrationAdmin::recordBody).map(record -> {
            if (comparison.newRecordedBy() != null) {
                record.put("recordedBy", comparison.newRecordedBy());
            }
            return record;
        }).orElse(null));
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
