package io.datastorage.embedding.openai;

import io.datastorage.core.config.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenAiEmbedderConfigTest {

    private static OpenAiEmbedderConfig config(String baseUrl, String model, String apiKey, Path apiKeyFile) {
        return new OpenAiEmbedderConfig(baseUrl == null ? null : URI.create(baseUrl), model, apiKey, apiKeyFile, 384,
                Duration.ofSeconds(10), 3);
    }

    @Test
    void checksWhatIsSetEvenWithoutAnEndpoint() {
        assertThat(config(null, null, null, null)).isNotNull();
        assertThatThrownBy(() -> config("ftp://models", null, null, null))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("base-url must be an http(s) URL, was 'ftp://models'");
        assertThatThrownBy(() -> new OpenAiEmbedderConfig(null, null, null, null, 384, Duration.ofSeconds(10), 11))
                .hasMessage("max-retries must be 0..10, was 11");
    }

    @Test
    void isCompleteOnlyWithAnEndpointAModelAndAReadableKeyFile(@TempDir Path dir) {
        assertThatThrownBy(() -> config(null, "m", null, null).requireComplete())
                .hasMessage("base-url must be set, was empty");
        assertThatThrownBy(() -> config("http://127.0.0.1:9", null, null, null).requireComplete())
                .hasMessage("model must be set, was empty");
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> config("http://127.0.0.1:9", "m", null, missing).requireComplete())
                .hasMessage("api-key-file must name a readable file, was '" + missing + "'");
    }

    @Test
    void readsTheKeyFromItsFileWhenNoKeyIsGivenAndNeverPrintsIt(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("key"), "  sk-from-file\n");

        assertThat(config("http://127.0.0.1:9", "m", null, file).resolveApiKey()).isEqualTo("sk-from-file");
        assertThat(config("http://127.0.0.1:9", "m", " sk-given ", file).resolveApiKey()).isEqualTo("sk-given");
        assertThat(config("http://127.0.0.1:9", "m", "sk-given", null).toString()).doesNotContain("sk-given");
    }
}
