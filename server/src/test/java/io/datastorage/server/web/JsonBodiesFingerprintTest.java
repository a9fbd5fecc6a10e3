package io.datastorage.server.web;

import io.datastorage.core.ingest.ContentFingerprint;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The idempotency fingerprint is a function of the content only: RFC 8785's canonical form with
 * null members dropped and numbers by exact value.
 */
class JsonBodiesFingerprintTest {
    private static final JsonBodies BODIES = new JsonBodies();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "sorted keys, no whitespace               | { \"b\" : 1 , \"a\" : [ true , null ] }  | {\"a\":[true,null],\"b\":1}",
            "null members dropped, null items kept     | {\"a\":null,\"b\":[null]}                | {\"b\":[null]}",
            "numbers by exact value                    | [0.50,5E-1,1E+2,100.0,-0.0,1e-400,7]     | [0.5,0.5,1E+2,1E+2,0,1E-400,7]",
            "minimal string escapes                    | [\"\\u0041\\/\\u00e9\\u001F\\t\\\"\"]   | [\"A/\u00e9\\u001f\\t\\\"\"]",
            "UTF-16 order of keys (RFC 8785 3.2.3)     | {\"\\ud83d\\ude00\":1,\"\\uffff\":2,\"a\":3} | {\"a\":3,\"\ud83d\ude00\":1,\"\uffff\":2}"})
    void writesTheCanonicalForm(String rule, String json, String canonical) {
        String out = ContentFingerprint.canonical(BODIES.parse(json.getBytes(StandardCharsets.UTF_8)));

        assertThat(out).isEqualTo(canonical);
    }

    /** Any body, respelled (key order, whitespace, escapes, equal numbers, added null members), keeps its fingerprint. */
    @Property(tries = 1000)
    void theSameContentHasTheSameFingerprintHoweverItIsSpelled(@ForAll("trees") Object tree, @ForAll long seed) {
        String plain = write(tree, null);
        String respelled = write(tree, new Random(seed));

        assertThat(fingerprint(respelled)).as(plain + " vs " + respelled).isEqualTo(fingerprint(plain));
    }

    /** Changing any one value changes the fingerprint. */
    @Property(tries = 1000)
    void otherContentHasAnotherFingerprint(@ForAll("objects") Map<String, Object> tree, @ForAll("leaves") Object other) {
        String key = tree.keySet().iterator().next();
        Object before = tree.get(key);
        tree.put(key, other);
        boolean same = before == null || other == null ? before == other
                : before instanceof BigDecimal a && other instanceof BigDecimal b ? a.compareTo(b) == 0 : before.equals(other);
        if (same || before == null || other == null) {
            return; // null and absent are the same content
        }
        String changed = write(tree, null);
        tree.put(key, before);

        assertThat(fingerprint(changed)).isNotEqualTo(fingerprint(write(tree, null)));
    }

    private static String fingerprint(String json) {
        return ContentFingerprint.of("POST /x", BODIES.parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Provide
    Arbitrary<Object> trees() {
        return Arbitraries.recursive(this::leaves, tree -> Arbitraries.oneOf(
                Arbitraries.maps(Arbitraries.strings().ofMaxLength(6), tree).ofMaxSize(4).map(m -> (Object) new LinkedHashMap<>(m)),
                tree.list().ofMaxSize(4).map(l -> (Object) l)), 0, 3);
    }

    @Provide
    Arbitrary<Map<String, Object>> objects() {
        return Arbitraries.maps(Arbitraries.strings().ofMaxLength(6), trees()).ofMinSize(1).ofMaxSize(5)
                .map(LinkedHashMap::new);
    }

    @Provide
    Arbitrary<Object> leaves() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(8).filter(s -> s.chars().noneMatch(c -> Character.isSurrogate((char) c)))
                        .map(s -> (Object) s),
                Arbitraries.bigDecimals().between(new BigDecimal("-1e6"), new BigDecimal("1e6")).ofScale(4)
                        .map(d -> (Object) d),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(null));
    }

    /** JSON text of the tree; with a random source, spelled differently but with the same content. */
    private static String write(Object value, Random random) {
        StringBuilder out = new StringBuilder();
        write(value, random, out);
        return out.toString();
    }

    private static void write(Object value, Random random, StringBuilder out) {
        String space = random == null ? "" : " \n\t\r".substring(0, random.nextInt(5));
        out.append(space);
        switch (value) {
            case null -> out.append("null");
            case Map<?, ?> map -> {
                List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
                if (random != null) {
                    Collections.shuffle(entries, random);
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> entry : entries) {
                    if (entry.getValue() == null && random == null) {
                        continue; // the plain spelling leaves null members out; the respelled one keeps them
                    }
                    out.append(first ? "" : ",");
                    first = false;
                    write(entry.getKey(), random, out);
                    out.append(':');
                    write(entry.getValue(), random, out);
                }
                if (random != null && random.nextBoolean()) {
                    out.append(first ? "" : ",").append("\"extra-null\":null");
                }
                out.append('}');
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    out.append(i == 0 ? "" : ",");
                    write(list.get(i), random, out);
                }
                out.append(']');
            }
            case String text -> {
                out.append('"');
                text.chars().forEach(c -> {
                    if (c == '"' || c == '\\' || c < 0x20 || (random != null && random.nextInt(4) == 0)) {
                        out.append(String.format("\\u%04X", c));
                    } else {
                        out.append((char) c);
                    }
                });
                out.append('"');
            }
            case BigDecimal number -> {
                if (random == null) {
                    out.append(number.toPlainString());
                } else {
                    BigDecimal respelled = number.setScale(number.scale() + random.nextInt(3));
                    out.append(random.nextBoolean() ? respelled.toPlainString() : respelled.toString().replace("E", "e"));
                }
            }
            default -> out.append(value);
        }
        out.append(space);
    }
}
