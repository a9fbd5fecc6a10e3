package io.datastorage.core.ingest;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fingerprint over trees built by hand (the server's tests run it over parsed JSON, respelled
 * at random): content, not spelling, and the scope, decide it.
 */
class ContentFingerprintTest {

    private static Map<String, Object> object(Object... namesAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void memberOrderNullMembersAndTrailingZerosDoNotChangeTheFingerprint() {
        Object first = object("a", new BigDecimal("0.50"), "b", List.of("x"));
        Object second = object("b", List.of("x"), "c", null, "a", new BigDecimal("0.5"));

        assertThat(ContentFingerprint.of("POST /x", second)).isEqualTo(ContentFingerprint.of("POST /x", first));
        assertThat(ContentFingerprint.canonical(second)).isEqualTo("{\"a\":0.5,\"b\":[\"x\"]}");
    }

    @Test
    void nullItemsOfAListAreContent() {
        assertThat(ContentFingerprint.canonical(Arrays.asList(null, 1))).isEqualTo("[null,1]");
    }

    @Test
    void theScopeIsPartOfTheFingerprint() {
        Object tree = object("a", 1);

        assertThat(ContentFingerprint.of("POST /x/batch", tree)).isNotEqualTo(ContentFingerprint.of("POST /x", tree));
        assertThat(ContentFingerprint.of("POST /x", tree)).hasSize(64).matches("[0-9a-f]+");
    }

    @Test
    void refusesWhatIsNotAJsonTree() {
        assertThatThrownBy(() -> ContentFingerprint.canonical(object("a", new Object())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a JSON tree value");
    }
}
