package io.datastorage.core.migration;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The checkpoints kept in this process: for a service that runs as one process and for tests. */
public final class InMemoryBackfillCheckpoints implements BackfillCheckpoints {
    private final Map<BackfillDirection, BackfillCheckpoint> checkpoints = new ConcurrentHashMap<>();

    @Override
    public void save(BackfillCheckpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        checkpoints.put(checkpoint.direction(), checkpoint);
    }

    @Override
    public Optional<BackfillCheckpoint> find(BackfillDirection direction) {
        return Optional.ofNullable(checkpoints.get(Objects.requireNonNull(direction, "direction")));
    }

    @Override
    public void clear(BackfillDirection direction) {
        checkpoints.remove(Objects.requireNonNull(direction, "direction"));
    }
}
