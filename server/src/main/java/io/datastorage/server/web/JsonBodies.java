package io.datastorage.server.web;

import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads request bodies with a size limit and parses them into the neutral tree the validator
 * takes. Parsing is strict: duplicate keys, trailing content, NaN and over-deep nesting are
 * malformed JSON. Fractions become BigDecimal, so numbers are kept exactly.
 */
@Component
public class JsonBodies {
    private final JsonMapper parser = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private final JsonMapper canonical = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    /** Thrown when a body is larger than allowed. */
    public static final class TooLargeException extends RuntimeException {
        public TooLargeException(long limit) {
            super("request body is larger than " + limit + " bytes");
        }
    }

    /** Thrown when a body is not well-formed JSON. */
    public static final class MalformedException extends RuntimeException {
        public MalformedException(String message) {
            super(message);
        }
    }

    /**
     * Reads at most {@code limit} bytes. A declared or actual length above it fails before the
     * body is buffered.
     */
    public byte[] read(InputStream in, long declaredLength, long limit) {
        if (declaredLength > limit) {
            throw new TooLargeException(limit);
        }
        byte[] body;
        try {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        } catch (IOException e) {
            // The client stopped sending (aborted, or sent less than its Content-Length): its fault, not ours.
            throw new MalformedException("the request body could not be read completely: " + e.getMessage());
        }
        if (body.length > limit) {
            throw new TooLargeException(limit);
        }
        return body;
    }

    public Object parse(byte[] body) {
        if (body.length == 0) {
            throw new MalformedException("the request body is empty; a JSON document is required");
        }
        try {
            return parser.readValue(body, Object.class);
        } catch (JacksonException e) {
            String location = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new MalformedException("malformed JSON" + location + ": " + firstLine(e.getOriginalMessage()));
        }
    }

    /** SHA-256 over the request line and the canonical (key-sorted) form of the parsed body. */
    public String fingerprint(String requestLine, Object tree) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(requestLine.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) '\n');
            digest.update(canonical.writeValueAsBytes(tree));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable input";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
