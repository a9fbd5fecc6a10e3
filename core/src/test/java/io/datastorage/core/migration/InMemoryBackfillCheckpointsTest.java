package io.datastorage.core.migration;

/** The checkpoints contract on the in-process store. */
class InMemoryBackfillCheckpointsTest extends BackfillCheckpointsContract {
    @Override
    protected BackfillCheckpoints checkpoints() {
        return new InMemoryBackfillCheckpoints();
    }
}
