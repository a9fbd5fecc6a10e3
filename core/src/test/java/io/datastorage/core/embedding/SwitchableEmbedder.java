package io.datastorage.core.embedding;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link RecordingEmbedder} behind a switch that makes every call fail as a transient outage. */
public final class SwitchableEmbedder extends RecordingEmbedder {
    private final AtomicBoolean down = new AtomicBoolean();

    public void down(boolean isDown) {
        down.set(isDown);
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        if (down.get()) {
            throw new EmbedderUnavailableException("embedder switched down by the test", null);
        }
        return super.embed(texts);
    }
}
