package io.datastorage.server.web;

import io.datastorage.core.audit.FieldErrors;
import io.datastorage.core.audit.Numbers;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads request bodies with a size limit and parses them into the neutral tree the validator
 * takes. Parsing is strict: duplicate keys, trailing content, NaN and over-deep nesting are
 * malformed JSON. Fractions become BigDecimal, so numbers are kept exactly.
 * <p>
 * Bodies are UTF-8 JSON (RFC 8259 §8.1), decoded strictly by RFC 3629 before parsing: overlong
 * forms ({@code C0 AF} for {@code /}), encoded surrogates, code points above U+10FFFF and cut
 * sequences are malformed JSON naming the byte offset, never repaired or guessed (a UTF-16 body
 * is not UTF-8 either). A leading UTF-8 byte order mark is ignored, as RFC 8259 allows. A
 * {@code charset} other than UTF-8 and any {@code Content-Encoding} other than {@code identity}
 * are refused before the body is read ({@link UnsupportedContentException}, 415): a compressed
 * body would otherwise slip past the size limits, which count the bytes as received.
 */
@Component
public class JsonBodies {
    // No length limit of Jackson's own on a number's text: the body's size bounds it, and every
    // number is checked by Numbers, which names the field (Jackson's limit would only give a position).
    private final JsonMapper parser = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNumberLength(Integer.MAX_VALUE).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private final JsonMapper canonical = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    /** Thrown when a body is larger than allowed. */
    public static final class TooLargeException extends io.datastorage.core.error.PermanentException {
        public TooLargeException(long limit) {
            super(io.datastorage.core.error.Component.REQUEST, "request body is larger than " + limit + " bytes", null);
        }
    }

    /** Thrown when a body is not well-formed JSON. */
    public static final class MalformedException extends io.datastorage.core.error.PermanentException {
        public MalformedException(String message) {
            super(io.datastorage.core.error.Component.REQUEST, message, null);
        }
    }

    /**
     * Thrown when the body's charset or content coding is not one this service reads: the 415
     * answer names what was sent and what is accepted.
     */
    public static final class UnsupportedContentException extends io.datastorage.core.error.PermanentException {
        private final boolean contentCoding;

        UnsupportedContentException(String message, boolean contentCoding) {
            super(io.datastorage.core.error.Component.REQUEST, message, null);
            this.contentCoding = contentCoding;
        }

        /** Whether the content coding (not the charset) was refused; the answer then says {@code Accept-Encoding: identity}. */
        public boolean contentCoding() {
            return contentCoding;
        }
    }

    /**
     * Checks the request's charset and content coding, then reads its body like
     * {@link #read(InputStream, long, long)}.
     *
     * @throws UnsupportedContentException for a charset other than UTF-8 or a Content-Encoding other than identity
     */
    public byte[] read(HttpServletRequest request, long limit) {
        checkContent(request.getContentType(), Collections.list(request.getHeaders("Content-Encoding")));
        InputStream in;
        try {
            in = request.getInputStream();
        } catch (IOException e) {
            throw new MalformedException("the request body could not be read: " + e.getMessage());
        }
        return read(in, request.getContentLengthLong(), limit);
    }

    /** See {@link #read(HttpServletRequest, long)}; package-private for tests. */
    static void checkContent(String contentType, List<String> contentEncodings) {
        for (String header : contentEncodings) {
            for (String coding : header.split(",")) {
                String name = coding.trim();
                if (!name.isEmpty() && !name.equalsIgnoreCase("identity")) {
                    throw new UnsupportedContentException("Content-Encoding '" + echo(name)
                            + "' is not supported; send the JSON body uncompressed (identity)", true);
                }
            }
        }
        if (contentType == null) {
            return;
        }
        String charset;
        try {
            charset = MediaType.parseMediaType(contentType).getParameter("charset");
        } catch (InvalidMediaTypeException e) {
            // Spring parses the charset too and refuses names it does not know
            throw new UnsupportedContentException("Content-Type '" + echo(contentType)
                    + "' could not be read; JSON bodies must be UTF-8 (application/json or application/json; charset=utf-8)", false);
        }
        if (charset == null) {
            return;
        }
        String name = charset.length() >= 2 && charset.startsWith("\"") && charset.endsWith("\"")
                ? charset.substring(1, charset.length() - 1) : charset;
        boolean utf8;
        try {
            utf8 = Charset.isSupported(name) && Charset.forName(name).equals(StandardCharsets.UTF_8);
        } catch (IllegalCharsetNameException e) {
            utf8 = false;
        }
        if (!utf8) {
            throw new UnsupportedContentException("charset '" + echo(name)
                    + "' is not supported; JSON bodies must be UTF-8 (application/json or application/json; charset=utf-8)", false);
        }
    }

    private static String echo(String value) {
        String printable = value.codePoints().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() > 64 ? printable.substring(0, 64) + "…" : printable;
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
        String text = utf8(body);
        try {
            return tree(text);
        } catch (JacksonException e) {
            String location = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new MalformedException("malformed JSON" + location + ": " + firstLine(e.getOriginalMessage()));
        }
    }

    /**
     * The body as text, decoded strictly by RFC 3629; a leading byte order mark is dropped.
     * (The JDK's decoder is the strict one; Jackson's own byte reader accepts overlong forms and
     * guesses UTF-16 and UTF-32 from the first bytes, so it is given the decoded text instead.)
     */
    static String utf8(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(body.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            int end = Math.min(body.length, offset + Math.max(1, result.length()));
            throw new MalformedException("the request body is not UTF-8: invalid byte sequence "
                    + HexFormat.ofDelimiter(" ").withUpperCase().formatHex(body, offset, end) + " at byte offset " + offset);
        }
        out.flip();
        if (out.hasRemaining() && out.get(0) == '\uFEFF') {
            out.position(1);
        }
        return out.toString();
    }

    /**
     * The fingerprint as versions before the canonical form took it (key-sorted, spelled as
     * received). Idempotency keys live 24 hours, so a retry sent just after an upgrade may meet a
     * key stored with this one; the store accepts either. It can go once no such key is left.
     */
    public String legacyFingerprint(String requestLine, Object tree) {
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

    /**
     * The body as the neutral tree: maps in document order, lists, strings, booleans, null, and
     * numbers (Integer, Long or BigInteger for integers, BigDecimal for the rest, so they are kept
     * exactly). Built here from the token stream rather than by {@code readValue}, because each
     * number's text has to be checked against the bounds of {@link Numbers} before it is
     * converted (an exponent beyond 32 bits fails the conversion itself), and the answer has to
     * name where the number was; every number out of bounds is a validation error at its path
     * ({@code confidence}, {@code [2].confidence}, {@code vector[7]}).
     */
    private Object tree(String text) {
        FieldErrors errors = new FieldErrors();
        Object tree;
        try (JsonParser p = parser.createParser(text)) {
            tree = value(p, p.nextToken(), "", errors);
            if (p.nextToken() != null) {
                throw new MalformedException("malformed JSON at line " + p.currentTokenLocation().getLineNr()
                        + ", column " + p.currentTokenLocation().getColumnNr()
                        + ": content after the end of the JSON document");
            }
        }
        errors.throwIfAny();
        return tree;
    }

    private static Object value(JsonParser p, JsonToken token, String path, FieldErrors errors) {
        if (token == null) {
            throw new MalformedException("malformed JSON: the body holds no JSON value");
        }
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> object = new LinkedHashMap<>();
                for (String name = p.nextName(); name != null; name = p.nextName()) {
                    object.put(name, value(p, p.nextToken(), path.isEmpty() ? name : path + "." + name, errors));
                }
                return object;
            }
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                for (JsonToken next = p.nextToken(); next != JsonToken.END_ARRAY; next = p.nextToken()) {
                    array.add(value(p, next, path + "[" + array.size() + "]", errors));
                }
                return array;
            }
            case VALUE_STRING -> {
                return p.getString();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                String text = p.getText();
                String problem = Numbers.problem(text);
                if (problem != null) {
                    errors.add(path, problem + ", was " + (text.length() > 64 ? text.substring(0, 64) + "…" : text));
                    return null;
                }
                return token == JsonToken.VALUE_NUMBER_INT ? p.getNumberValue() : new BigDecimal(text);
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new MalformedException("malformed JSON: unexpected " + token);
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
