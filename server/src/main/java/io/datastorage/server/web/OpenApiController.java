package io.datastorage.server.web;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves the OpenAPI description, written by hand next to the code it describes
 * ({@code openapi.yaml}); {@code OpenApiDescriptionTest} fails when an endpoint is missing from it.
 */
@RestController
public class OpenApiController {
    private static final Resource DESCRIPTION = new ClassPathResource("openapi.yaml");

    @GetMapping(path = "/api/v1/openapi.yaml")
    public ResponseEntity<Resource> description() {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/yaml")).body(DESCRIPTION);
    }
}
