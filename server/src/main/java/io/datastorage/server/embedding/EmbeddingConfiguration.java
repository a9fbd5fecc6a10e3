package io.datastorage.server.embedding;

import io.datastorage.core.embedding.Embedder;
import io.datastorage.embedding.onnx.OnnxEmbedder;
import io.datastorage.server.config.DatastorageProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * The embedding model, loaded once at start-up (so the service is not ready before it is), and
 * checked against the configured vector dimension.
 */
@Configuration(proxyBeanMethods = false)
public class EmbeddingConfiguration {
    private static final Logger log = LoggerFactory.getLogger(EmbeddingConfiguration.class);

    @Bean(destroyMethod = "close")
    OnnxEmbedder.CloseableEmbedder embeddingModel(DatastorageProperties properties) {
        int threads = properties.embedding().threads() == 0
                ? Runtime.getRuntime().availableProcessors() : properties.embedding().threads();
        long started = System.nanoTime();
        OnnxEmbedder.CloseableEmbedder model = OnnxEmbedder.builder().intraOpThreads(threads).build();
        try {
            checkDimension(model, properties.embedding().dimension());
        } catch (IllegalStateException e) {
            model.close();
            throw e;
        }
        log.info("Embedding model {} loaded in {} ms ({} dimensions, {} thread(s))", model.modelId(),
                (System.nanoTime() - started) / 1_000_000, model.dimension(), threads);
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
}
