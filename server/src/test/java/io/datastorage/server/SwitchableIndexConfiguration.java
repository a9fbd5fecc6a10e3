package io.datastorage.server;

import io.datastorage.core.index.SwitchableIndex;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.index.lucene.LuceneVectorIndex;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Puts the service's real Lucene index behind a switch that makes it fail. Not a
 * {@code @Configuration}, so that component scanning leaves it to the tests that pass it as a source.
 */
class SwitchableIndexConfiguration {

    @Bean(destroyMethod = "") // the Lucene bean closes itself
    @Primary
    VectorIndex switchableIndex(LuceneVectorIndex lucene) {
        return new SwitchableIndex(lucene);
    }

    /** The switch of a service started with this configuration. */
    static SwitchableIndex of(RunningService service) {
        return (SwitchableIndex) service.context().getBean(VectorIndex.class);
    }
}
