package io.datastorage.server.embedding;

import io.datastorage.core.embedding.BatchingEmbedder;
import io.datastorage.core.embedding.CachingEmbedder;
import io.datastorage.core.embedding.CaffeineEmbeddingCache;
import io.datastorage.core.embedding.Embedder;
import io.datastorage.core.embedding.EmbeddingCache;
import io.datastorage.core.embedding.RecordEmbedder;
import io.datastorage.core.repair.EmbeddingRepairJob;
import io.datastorage.core.store.EmbeddingBacklog;
import io.datastorage.core.error.PermanentException;
import io.datastorage.core.error.TransientException;
import io.datastorage.core.config.InvalidConfigException;
import io.datastorage.embedding.onnx.OnnxEmbedder;
import io.datastorage.embedding.onnx.OnnxEmbedderConfig;
import io.datastorage.embedding.openai.OpenAiEmbedder;
import io.datastorage.embedding.openai.OpenAiEmbedderConfig;
import io.datastorage.server.config.DatastorageProperties;
import io.datastorage.server.job.LeasedJobs;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * The embedding model (loaded once at start-up, so the service is not ready before it is, and
 * checked against the configured vector dimension), the cache, the pipeline joining them, the
 * write path's {@link RecordEmbedder} and the embedding repair.
 */
@Configuration(proxyBeanMethods = false)
public class EmbeddingConfiguration {
    private static final Logger log = LoggerFactory.getLogger(EmbeddingConfiguration.class);

    /** The provider's model itself. Tests may wrap it in a {@code @Primary} Embedder. */
    @Bean
    Embedder embeddingModel(DatastorageProperties properties) {
        DatastorageProperties.Embedding settings = properties.embedding();
        return switch (settings.provider()) {
            case ONNX -> onnx(settings.onnx(), settings.dimension());
            case OPENAI -> openAi(settings.openAi());
        };
    }

    private static Embedder onnx(OnnxEmbedderConfig config, int dimension) {
        long started = System.nanoTime();
        OnnxEmbedder.CloseableEmbedder model = config.build();
        try {
            checkDimension(model, dimension);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        log.info("Embedding model {} loaded in {} ms ({} dimensions, {} thread(s) per inference, {} when alone)",
                model.modelId(), (System.nanoTime() - started) / 1_000_000, model.dimension(), config.intraOpThreads(),
                config.soloThreads());
        return model;
    }

    private static Embedder openAi(OpenAiEmbedderConfig openai) {
        OpenAiEmbedder model;
        try {
            model = openai.build();
        } catch (InvalidConfigException e) {
            throw e.under("datastorage.embedding.openai.");
        }
        try {
            checkDimension(model, openai.dimension());
            log.info("Embedding with {} at {}", model.modelId(), openai.baseUrl());
        } catch (PermanentException e) {
            model.close();
            throw new IllegalStateException("the embedding endpoint " + openai.baseUrl() + " refused the start-up check: "
                    + e.getMessage(), e);
        } catch (TransientException e) {
            // Unreachable for now: start anyway. Records are stored with their embedding pending
            // and embedded once it answers; every answer's dimension is checked then.
            log.warn("The embedding endpoint {} does not answer yet ({}); records will be stored with their "
                    + "embedding pending until it does", openai.baseUrl(), e.getMessage());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /** Refuses to start when the model's real output length differs from the configured one. */
    static void checkDimension(Embedder model, int configured) {
        int actual = model.embed(List.of("dimension check")).getFirst().length;
        if (actual != configured || model.dimension() != configured) {
            throw new IllegalStateException("datastorage.embedding.dimension is " + configured + " but the model "
                    + model.modelId() + " produces " + actual + "-dimensional vectors; set it to " + actual
                    + " or choose a model with " + configured + " dimensions");
        }
    }

    @Bean
    EmbeddingCache embeddingCache(DatastorageProperties properties) {
        DatastorageProperties.Cache settings = properties.cache();
        EmbeddingCache cache = settings.redis()
                ? settings.redisConfig().connect()
                : new CaffeineEmbeddingCache(settings.ttl(), settings.maxSize().toBytes());
        log.info("Embedding cache: {}, entries kept {}", cache.describe(), settings.ttl());
        return cache;
    }

    @Bean
    EmbeddingPipeline embeddingPipeline(Embedder model, EmbeddingCache cache, DatastorageProperties properties,
                                        MeterRegistry registry) {
        DatastorageProperties.Embedding settings = properties.embedding();
        BatchingEmbedder batcher = new BatchingEmbedder(new MeteredEmbedder(model, registry),
                settings.batchMaxSize(), settings.batchMaxWait(), settings.resolvedParallelism());
        CachingEmbedder cached = new CachingEmbedder(batcher, cache);
        FunctionCounter.builder("datastorage.cache.hits", cached, CachingEmbedder::hits)
                .description("Texts whose embedding came from the cache").register(registry);
        FunctionCounter.builder("datastorage.cache.misses", cached, CachingEmbedder::misses)
                .description("Texts whose embedding had to be computed").register(registry);
        FunctionCounter.builder("datastorage.cache.errors", cached, CachingEmbedder::errors)
                .description("Cache reads and writes that failed; the embeddings were computed instead").register(registry);
        return new EmbeddingPipeline(cached, batcher);
    }

    /**
     * Counts failed embedding calls ({@code datastorage_embedding_failures_total}) and shows the
     * backlog they leave ({@code datastorage_embedding_pending}).
     */
    @Bean
    RecordEmbedder.FailureListener embeddingFailures(MeterRegistry registry, EmbeddingBacklog backlog) {
        Counter failures = Counter.builder("datastorage.embedding.failures")
                .description("Embedding requests that failed; their records were stored with the embedding pending")
                .register(registry);
        Gauge.builder("datastorage.embedding.pending", backlog, EmbeddingBacklog::countPendingEmbeddings)
                .description("Stored records whose embedding is still to be computed").register(registry);
        return texts -> failures.increment();
    }

    /** Embeds records on the write path and for the repair; tests may replace it with a {@code @Primary} one. */
    @Bean
    RecordEmbedder recordEmbedder(EmbeddingPipeline pipeline, RecordEmbedder.FailureListener failures) {
        return new RecordEmbedder(pipeline.embedder(), failures);
    }

    // Built here, so that running the job under a lease is one wrapper around its constructor.
    @Bean
    EmbeddingRepairWorker embeddingRepairWorker(EmbeddingBacklog store, RecordEmbedder embedder, DatastorageProperties properties,
                                                LeasedJobs leased) {
        return new EmbeddingRepairWorker(leased.leased(
                new EmbeddingRepairJob(store, embedder, properties.embedding().repairBatchSize())));
    }
}
