package io.datastorage.server.web;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Charset and content-coding checks of {@link JsonBodies}, without a service. */
class JsonBodiesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "null", "application/json", "application/json; charset=utf-8", "application/json; charset=\"UTF-8\"",
            "application/json;charset=utf8", "application/problem+json; charset=UTF-8"})
    void acceptsUtf8AndNoCharset(String contentType) {
        assertThatCode(() -> JsonBodies.checkContent(contentType, List.of())).doesNotThrowAnyException();
        assertThatCode(() -> JsonBodies.checkContent(contentType, List.of("identity"))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "application/json; charset=iso-8859-1", "application/json; charset=UTF-16", "application/json; charset=utf-32le",
            "application/json; charset=\"\"", "application/json; charset=x", "application/json; charset=cp1252"})
    void refusesEveryOtherCharset(String contentType) {
        assertThatThrownBy(() -> JsonBodies.checkContent(contentType, List.of()))
                .isInstanceOf(JsonBodies.UnsupportedContentException.class).hasMessageContaining("must be UTF-8");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"gzip", "GZIP", "deflate", "br", "identity, gzip", "gzip,identity", "compress", "x\u0001y"})
    void refusesEveryContentCodingButIdentity(String coding) {
        assertThatThrownBy(() -> JsonBodies.checkContent("application/json", List.of(coding)))
                .isInstanceOf(JsonBodies.UnsupportedContentException.class).hasMessageContaining("uncompressed");
    }
}
