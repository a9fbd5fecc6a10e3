package io.datastorage.server.security;

import io.datastorage.core.access.Action;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The endpoint → action mapping over arbitrary methods and paths. */
class EndpointActionsPropertyTest {

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND");
    }

    @Provide
    Arbitrary<String> tails() {
        return Arbitraries.strings().withChars("abcz019-_.%/:;").ofMaxLength(30);
    }

    @Property
    void everythingUnderAdminIsAdminWhateverTheMethod(@ForAll("methods") String method, @ForAll("tails") String tail) {
        assertThat(EndpointActions.of(method, "/api/v1/admin/" + tail)).hasValue(Action.ADMIN);
    }

    @Property
    void nothingOutsideTheAuditAndAdminPathsIsAnAction(@ForAll("methods") String method, @ForAll("tails") String tail) {
        String path = "/" + tail;
        if (path.equals("/api/v1/audit") || path.startsWith("/api/v1/audit/") || path.equals("/api/v1/admin")
                || path.startsWith("/api/v1/admin/")) {
            return;
        }
        assertThat(EndpointActions.of(method, path)).isEmpty();
    }

    @Property
    void onlyAPostWritesOrSearchesAndOnlyGetOrHeadReads(@ForAll("methods") String method, @ForAll("tails") String tail) {
        EndpointActions.of(method, "/api/v1/audit/" + tail).ifPresent(action -> {
            if (action instanceof Action.Write || action == Action.SEARCH) {
                assertThat(method).isEqualTo("POST");
            } else {
                assertThat(action).isEqualTo(Action.READ);
                assertThat(method).isIn(List.of("GET", "HEAD"));
            }
        });
    }
}
