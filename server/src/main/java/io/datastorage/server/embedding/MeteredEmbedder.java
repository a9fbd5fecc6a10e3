package io.datastorage.server.embedding;

import io.datastorage.core.embedding.Embedder;
import io.datastorage.core.embedding.ForwardingEmbedder;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;

/** Times every call that reaches the model and records how many texts it carried. */
final class MeteredEmbedder extends ForwardingEmbedder {
    private final Timer duration;
    private final DistributionSummary batchSize;

    MeteredEmbedder(Embedder model, MeterRegistry registry) {
        super(model);
        this.duration = Timer.builder("datastorage.embedding.generation.duration")
                .description("Time the model took for one batch of texts").publishPercentileHistogram().register(registry);
        this.batchSize = DistributionSummary.builder("datastorage.embedding.batch.size")
                .description("Texts per model call").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
                .register(registry);
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        return embed(texts, NO_TIME_LIMIT);
    }

    @Override
    public List<float[]> embed(List<String> texts, Duration timeLimit) {
        batchSize.record(texts.size());
        Timer.Sample sample = Timer.start();
        try {
            return delegate.embed(texts, timeLimit);
        } finally {
            sample.stop(duration);
        }
    }
}
