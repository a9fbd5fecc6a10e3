package io.datastorage.server;

import io.datastorage.core.embedding.Embedder;
import io.datastorage.core.embedding.EmbedderUnavailableException;
import io.datastorage.core.embedding.ForwardingEmbedder;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Puts the service's real model behind a switch that makes it fail, and counts the texts that
 * reach it. Static, so a test reads it without reaching into the context; reset it in
 * {@code @BeforeAll}. Pass it as a source to {@link RunningService#start(Class[], java.nio.file.Path, String...)}.
 */
class ObservedModel { // not a @Configuration, so that component scanning leaves it to the tests that ask

    static final AtomicBoolean DOWN = new AtomicBoolean();
    static final Queue<String> TEXTS = new ConcurrentLinkedQueue<>();

    static void reset() {
        DOWN.set(false);
        TEXTS.clear();
    }

    /** How many times this text reached the model. */
    static long timesEmbedded(String text) {
        return TEXTS.stream().filter(text::equals).count();
    }

    @Bean
    @Primary
    Embedder observedEmbedder(@Qualifier("embeddingModel") Embedder model) {
        return new ForwardingEmbedder(model) {
            @Override
            public List<float[]> embed(List<String> texts) {
                if (DOWN.get()) {
                    throw new EmbedderUnavailableException("model switched off by the test", null);
                }
                TEXTS.addAll(texts);
                return model.embed(texts);
            }
        };
    }
}
