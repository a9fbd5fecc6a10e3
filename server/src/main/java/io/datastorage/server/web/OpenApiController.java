package io.datastorage.server.web;

import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves the OpenAPI description, written by hand next to the code it describes
 * ({@code openapi.yaml}); {@code OpenApiDescriptionTest} fails when an endpoint is missing from it.
 *
 * <p>Served as bytes, not as a {@code Resource}: Spring answers a {@code Range} header on a
 * resource itself, and a malformed one (say {@code Range: !}) got a 416 carrying the YAML instead
 * of a problem (found by {@code NoServerErrorPropertyTest}). The description is small; a range of
 * it is never worth asking for.
 */
@RestController
public class OpenApiController {
    private static final byte[] DESCRIPTION = load();

    private static byte[] load() {
        try (InputStream in = new ClassPathResource("openapi.yaml").getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.yaml is missing from the class path", e);
        }
    }

    @GetMapping(path = "/api/v1/openapi.yaml")
    public ResponseEntity<byte[]> description() {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/yaml")).body(DESCRIPTION);
    }
}
