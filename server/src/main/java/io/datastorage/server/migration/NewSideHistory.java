package io.datastorage.server.migration;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.datastorage.core.migration.BackfillDirection;
import io.datastorage.core.migration.MigrationRuns;
import io.datastorage.core.migration.PhaseWatcher;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.PromotionGates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Whether the new store holds the legacy store's history ({@link PromotionGates#historyCopied}: a
 * complete {@code legacy-to-new} backfill since the current run of dual writing began), for search's
 * {@code newSideComplete}. Search asks on every request, so one answer serves the current phase
 * version for {@link #TTL}: a phase change is seen at once, a backfill that finished within
 * {@link #TTL}. A store that cannot be read answers {@code false} (never "complete" unproven).
 */
final class NewSideHistory implements BooleanSupplier {
    private static final Logger log = LoggerFactory.getLogger(NewSideHistory.class);
    /** How long one answer serves a phase version. */
    static final Duration TTL = Duration.ofSeconds(3);

    private final PhaseWatcher watcher;
    private final LoadingCache<Long, Boolean> copied;

    NewSideHistory(PhaseWatcher watcher, PhaseStore phases, MigrationRuns runs) {
        this.watcher = Objects.requireNonNull(watcher, "watcher");
        Objects.requireNonNull(phases, "phases");
        Objects.requireNonNull(runs, "runs");
        this.copied = Caffeine.newBuilder().maximumSize(4).expireAfterWrite(TTL).build(version -> {
            try {
                return PromotionGates.historyCopied(runs.lastBackfill(BackfillDirection.LEGACY_TO_NEW),
                        phases.historySinceDualWritingBegan());
            } catch (RuntimeException e) {
                log.warn("Whether the new store holds the legacy history could not be read; search says it does not: {}",
                        e.getMessage());
                return false;
            }
        });
    }

    @Override
    public boolean getAsBoolean() {
        return copied.get(watcher.current().version());
    }
}
