package io.datastorage.embedding.openai;

import io.datastorage.core.config.InvalidConfigException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.datastorage.core.config.ConfigChecks.range;
import static io.datastorage.core.config.ConfigChecks.required;

/**
 * An OpenAI-compatible embeddings endpoint. Immutable; a bad value is an
 * {@link InvalidConfigException} naming the setting as below.
 *
 * <p>The record may be built with no endpoint at all, so that what <em>is</em> set is checked
 * even while another provider is chosen (a typo should not wait for the day someone switches);
 * {@link #requireComplete()} says whether it can run.
 *
 * @param baseUrl    {@code base-url}: an http(s) URL; requests go to {@code {baseUrl}/v1/embeddings}
 * @param model      {@code model}: the model name sent with every request
 * @param apiKey     {@code api-key}: the bearer token, or none. Never printed
 * @param apiKeyFile {@code api-key-file}: a file holding the key (a mounted secret), used when
 *                   {@code apiKey} is empty
 * @param dimension  the length of the model's vectors
 * @param timeout    {@code timeout}: longest wait for one answer, 100ms..5m
 * @param maxRetries {@code max-retries}: retries after a network error, a 5xx or a 429 answer, 0..10
 */
public record OpenAiEmbedderConfig(URI baseUrl,
                                   String model,
                                   String apiKey,
                                   Path apiKeyFile,
                                   int dimension,
                                   Duration timeout,
                                   int maxRetries) {

    public OpenAiEmbedderConfig {
        if (baseUrl != null && !baseUrl.toString().isBlank() && (baseUrl.getHost() == null
                || !("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme())))) {
            throw new InvalidConfigException("base-url", "must be an http(s) URL", "'" + baseUrl + "'");
        }
        range("timeout", timeout, Duration.ofMillis(100), Duration.ofMinutes(5));
        range("max-retries", maxRetries, 0, 10);
    }

    /**
     * @return this config, when it names an endpoint and a model and its key file (if any) is readable
     * @throws InvalidConfigException naming the first setting missing or unusable
     */
    public OpenAiEmbedderConfig requireComplete() {
        required("base-url", baseUrl == null ? null : baseUrl.toString());
        required("model", model);
        if (apiKeyFile != null && !Files.isReadable(apiKeyFile)) {
            throw new InvalidConfigException("api-key-file", "must name a readable file", "'" + apiKeyFile + "'");
        }
        return this;
    }

    /**
     * The key from {@code api-key}, else from {@code api-key-file} (trimmed), else none.
     *
     * @throws InvalidConfigException the key file cannot be read
     */
    public String resolveApiKey() {
        if (apiKey != null && !apiKey.isBlank()) {
            return apiKey.strip();
        }
        if (apiKeyFile != null) {
            try {
                String key = Files.readString(apiKeyFile).strip();
                return key.isEmpty() ? null : key;
            } catch (IOException e) {
                throw new InvalidConfigException("api-key-file", "must name a readable file",
                        "'" + apiKeyFile + "' (" + e.getClass().getSimpleName() + ")");
            }
        }
        return null;
    }

    /** The embedder as configured here; {@link #requireComplete()} first. */
    public OpenAiEmbedder build() {
        requireComplete();
        return OpenAiEmbedder.builder()
                .baseUrl(baseUrl)
                .model(model)
                .apiKey(resolveApiKey())
                .dimension(dimension)
                .timeout(timeout)
                .maxRetries(maxRetries)
                .build();
    }

    @Override
    public String toString() {
        return "OpenAiEmbedderConfig[baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
                + (apiKey == null || apiKey.isBlank() ? "<none>" : "<redacted>") + ", apiKeyFile=" + apiKeyFile
                + ", dimension=" + dimension + ", timeout=" + timeout + ", maxRetries=" + maxRetries + "]";
    }
}
