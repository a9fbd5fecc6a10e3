package io.datastorage.embedding.onnx;

import io.datastorage.core.config.InvalidConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OnnxEmbedderConfigTest {

    @Test
    void zeroThreadsMeansOnePerCoreAndALoneInferenceUsesEveryCore() {
        int cores = Runtime.getRuntime().availableProcessors();

        assertThat(new OnnxEmbedderConfig(0).intraOpThreads()).isEqualTo(cores);
        assertThat(new OnnxEmbedderConfig(1).intraOpThreads()).isEqualTo(1);
        assertThat(new OnnxEmbedderConfig(1).soloThreads()).isEqualTo(cores);
        assertThat(new OnnxEmbedderConfig(cores + 1).soloThreads()).isEqualTo(cores + 1);
    }

    @Test
    void refusesMoreThreadsThanTheRuntimeTakes() {
        assertThatThrownBy(() -> new OnnxEmbedderConfig(257))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("threads must be 0..256, was 257");
    }
}
