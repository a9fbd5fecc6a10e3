package io.datastorage.core.ingest;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The fingerprint an idempotency key is stored with: SHA-256 over a scope (for the REST API, the
 * request line) and the canonical form of the content, so the same content has the same
 * fingerprint however it was spelled: key order, whitespace, escapes, {@code 0.5} or {@code 0.50},
 * a member absent or {@code null}.
 *
 * <p>Works on the neutral tree a JSON parser hands over: maps, lists, strings, booleans, null and
 * numbers ({@link Number}, compared by exact value).
 */
public final class ContentFingerprint {

    /**
     * The same request's fingerprint as an earlier version computed it, for keys stored before
     * the canonical form (see {@link io.datastorage.core.store.IdempotencyToken#legacyFingerprint()}).
     */
    @FunctionalInterface
    public interface Legacy {
        /** No earlier form: only {@link ContentFingerprint#of} matches. */
        Legacy NONE = (scope, tree) -> null;

        /** @return the earlier fingerprint, or null when there is none */
        String of(String scope, Object tree);
    }

    private ContentFingerprint() {
    }

    /** SHA-256, in hex, over {@code scope}, a line feed and the {@linkplain #canonical canonical form} of {@code tree}. */
    public static String of(String scope, Object tree) {
        MessageDigest digest = sha256();
        digest.update(scope.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
        digest.update(canonical(tree).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * The tree in the JSON Canonicalization Scheme's form (RFC 8785: members sorted by their
     * names' UTF-16 code units, no whitespace, strings with JCS's minimal escapes), with two
     * deliberate differences. A member whose value is null is left out, since null means absent
     * (README, "Rules"). A number is written as its exact value without trailing zeros
     * ({@code 0.50} → {@code 0.5}, {@code 100} → {@code 1E+2}) rather than as the nearest IEEE
     * double as JCS prescribes: the service stores numbers exactly, so two numbers that differ
     * beyond a double's precision are different content and must not replay each other. That
     * second difference is why this is written here and not taken from a JCS library (the one on
     * Maven Central, io.github.erdtman:java-json-canonicalization, parses numbers as doubles);
     * the rest is a few lines over the tree the parser already built.
     *
     * @throws IllegalArgumentException for a value that is not part of a JSON tree
     */
    public static String canonical(Object tree) {
        StringBuilder out = new StringBuilder();
        canonical(tree, out);
        return out.toString();
    }

    private static void canonical(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case Map<?, ?> object -> {
                List<String> names = new ArrayList<>();
                object.forEach((name, member) -> {
                    if (member != null) {
                        names.add(String.valueOf(name));
                    }
                });
                names.sort(null); // String order is UTF-16 code-unit order, as RFC 8785 section 3.2.3 asks
                out.append('{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    canonicalString(names.get(i), out);
                    out.append(':');
                    canonical(object.get(names.get(i)), out);
                }
                out.append('}');
            }
            case List<?> array -> {
                out.append('[');
                for (int i = 0; i < array.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    canonical(array.get(i), out);
                }
                out.append(']');
            }
            case String text -> canonicalString(text, out);
            case Boolean bool -> out.append(bool);
            case Number number -> {
                BigDecimal exact = new BigDecimal(number.toString());
                out.append(exact.signum() == 0 ? "0" : exact.stripTrailingZeros().toString());
            }
            default -> throw new IllegalArgumentException("not a JSON tree value: " + value.getClass());
        }
    }

    /** A string as RFC 8785 section 3.2.2.2 writes it: only {@code "}, {@code \} and controls escaped. */
    private static void canonicalString(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
