package io.datastorage.server.search;

import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.search.SearchStore;
import io.datastorage.core.search.SemanticSearch;
import io.datastorage.server.config.DatastorageProperties;
import io.datastorage.server.embedding.EmbeddingPipeline;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Semantic search over the vector index, with PostgreSQL as the degraded path; query texts go through the embedding pipeline (and its cache). */
@Configuration(proxyBeanMethods = false)
public class SearchConfiguration {

    @Bean
    SemanticSearch semanticSearch(VectorIndex index, SearchStore store, EmbeddingPipeline pipeline,
                                  DatastorageProperties properties, MeterRegistry registry) {
        Counter degraded = Counter.builder("datastorage.search.degraded")
                .description("Searches answered by an exact scan of PostgreSQL because the index was unavailable")
                .register(registry);
        return new SemanticSearch(index, store, pipeline.embedder(),
                properties.search().degradedMaxScan(), degraded::increment);
    }
}
