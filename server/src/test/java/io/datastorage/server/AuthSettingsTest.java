package io.datastorage.server;

import io.datastorage.server.security.RateLimitProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The authentication settings around the jwt mode's main test: mode none listens on loopback
 * only unless told otherwise, its optional rate limit goes by remote address, bad settings stop
 * start-up saying what is wrong, and an issuer that cannot be reached answers 503, never 401.
 */
@ExtendWith(OutputCaptureExtension.class)
class AuthSettingsTest {

    /** An IPv4 address of this machine other than loopback, if it has one. */
    static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        return NetworkInterface.networkInterfaces().filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (SocketException e) {
                        return false;
                    }
                }).flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
    }

    static boolean accepts(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 5_000);
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    @Test
    void modeNoneListensOnLoopbackOnlyAndAllowUnauthenticatedRemoteListensEverywhere() throws IOException {
        Optional<InetAddress> other = nonLoopbackAddress();
        assumeThat(other).as("this machine has a non-loopback IPv4 address").isPresent();
        RunningService shared = RunningService.shared();
        int port = shared.api("/").getPort();
        assertThat(accepts(InetAddress.getLoopbackAddress(), port)).isTrue();
        assertThat(accepts(other.get(), port)).isFalse();

        try (RunningService remote = RunningService.start(RunningService.newDataDir(),
                "--datastorage.auth.allow-unauthenticated-remote=true",
                "--datastorage.ratelimit.enabled=true",
                "--datastorage.ratelimit.requests-per-second=1",
                "--datastorage.ratelimit.burst=3")) {
            int remotePort = remote.api("/").getPort();
            assertThat(accepts(other.get(), remotePort)).isTrue();

            // Mode none with the limit switched on: counted by remote address.
            HttpResponse<String> limited = null;
            for (int i = 0; i < 10 && limited == null; i++) {
                HttpResponse<String> answer = remote.get("/api/v1/audit/remediation");
                if (answer.statusCode() == 429) {
                    limited = answer;
                } else {
                    assertThat(answer.statusCode()).isEqualTo(200);
                }
            }
            assertThat(limited).as("a 429 within 10 requests at 1/s with a burst of 3").isNotNull();
            assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(limited.body()).contains("urn:datastorage:problem:rate-limited");
            assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isGreaterThanOrEqualTo(1);
            // The management port is never limited.
            for (int i = 0; i < 5; i++) {
                assertThat(remote.get(remote.management("/health")).statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void theRateLimitIsOffInModeNoneAndOnWhenCallersAreAuthenticatedUnlessSaidOtherwise() {
        assertThat(new RateLimitProperties(null, 1000, 2000).enabledFor(io.datastorage.server.security.AuthMode.NONE)).isFalse();
        assertThat(new RateLimitProperties(null, 1000, 2000).enabledFor(io.datastorage.server.security.AuthMode.JWT)).isTrue();
        assertThat(new RateLimitProperties(false, 1000, 2000).enabledFor(io.datastorage.server.security.AuthMode.JWT)).isFalse();
        assertThat(RunningService.shared().context().getBean(RateLimitProperties.class).enabled()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--datastorage.auth.mode=kerberos|datastorage.auth.mode|kerberos",
            "--datastorage.auth.mode=jwt|datastorage.auth.jwt.issuer|must be set when datastorage.auth.mode is jwt",
            "--datastorage.auth.clock-skew=31s|datastorage.auth.clock-skew|must be 0s..30s",
            "--datastorage.auth.jwt.issuer=ftp://issuer|datastorage.auth.jwt.issuer|must be an http(s) URL",
            "--datastorage.auth.open-paths=/api/v1/audit|datastorage.auth.open-paths|must be paths",
            "--datastorage.ratelimit.burst=0|datastorage.ratelimit.burst|must be 1..10000000",
            "--datastorage.auth.mode=tokenreview --datastorage.auth.kubernetes.api-url=ftp://api|datastorage.auth.kubernetes.api-url|must be an https:// (or http://) URL",
            "--datastorage.auth.admins=system:serviceaccount:ops:admin|datastorage.auth.admins|is read in mode jwt only; datastorage.auth.mode is none",
            "--datastorage.auth.mode=tokenreview --datastorage.auth.policy-file=/nonexistent/policy.yaml|datastorage.auth.policy-file|is read in mode jwt only"})
    void refusesToStartWithABadAuthSetting(String argument, String property, String allowed, CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(), argument.split(" ")).close()).isNotNull();

        assertThat(output.getAll()).contains(property).contains(allowed);
    }

    @Test
    void adminsInModeTokenreviewStopStartUpNamingThePropertyTheValueAndWhy(CapturedOutput output) {
        // Ignored there (RBAC decides), they would look like access control that is not there.
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(), "--datastorage.auth.mode=tokenreview",
                "--datastorage.auth.admins=system:serviceaccount:ops:admin").close()).isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains("datastorage.auth.admins is read in mode jwt only; datastorage.auth.mode is tokenreview, "
                        + "where RBAC decides who administers")
                .contains("was 'system:serviceaccount:ops:admin'");
    }

    @Test
    void aMalformedPolicyFileStopsStartUpNamingTheFileAndTheLine(CapturedOutput output) throws IOException {
        Path dataDir = RunningService.newDataDir();
        Path policy = Files.writeString(dataDir.resolve("policy.yaml"), "subjects:\n  a: [read, delete]\n");

        assertThatThrownBy(() -> RunningService.start(dataDir, "--datastorage.auth.mode=jwt",
                "--datastorage.auth.jwt.issuer=https://issuer.example", "--datastorage.auth.policy-file=" + policy)
                .close()).isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START").contains("datastorage.auth.policy-file")
                .contains(policy.toString()).contains("line 2").contains("'delete'");
    }

    @Test
    void modeNoneRefusesANonLoopbackServerAddressWithoutAllowUnauthenticatedRemote(CapturedOutput output)
            throws IOException {
        Optional<InetAddress> other = nonLoopbackAddress();
        assumeThat(other).isPresent();

        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(),
                "--server.address=" + other.get().getHostAddress()).close()).isNotNull();

        assertThat(output.getAll()).contains("server.address").contains(other.get().getHostAddress())
                .contains("datastorage.auth.allow-unauthenticated-remote");
    }

    @Test
    void anIssuerOrJwksThatCannotBeReachedIs503AuthUnavailableNever401() {
        try (FakeIssuer issuer = new FakeIssuer()) {
            com.nimbusds.jose.jwk.RSAKey key = FakeIssuer.rsaKey("k1");
            issuer.publish(key);
            issuer.down = true;
            try (RunningService service = RunningService.start(RunningService.newDataDir(),
                    "--datastorage.auth.mode=jwt", "--datastorage.auth.jwt.issuer=" + issuer.issuer())) {
                String token = issuer.token(key, "system:serviceaccount:a:b", c -> c);
                HttpResponse<String> down = service.send(HttpRequest.newBuilder(service.api("/api/v1/audit"))
                        .header("Authorization", "Bearer " + token).GET());
                assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
                assertThat(down.body()).contains("urn:datastorage:problem:auth-unavailable");
                assertThat(down.headers().firstValue("Retry-After")).isPresent();

                issuer.down = false;
                HttpResponse<String> back = service.send(HttpRequest.newBuilder(service.api("/api/v1/audit"))
                        .header("Authorization", "Bearer " + token).GET());
                assertThat(back.statusCode()).as(back.body()).isEqualTo(200);

                // The keys are cached; a token of a new key needs the JWKS, which is down now.
                issuer.jwksDown = true;
                com.nimbusds.jose.jwk.ECKey rotated = FakeIssuer.ecKey("k2");
                issuer.publish(rotated);
                HttpResponse<String> jwksDown = service.send(HttpRequest.newBuilder(service.api("/api/v1/audit"))
                        .header("Authorization", "Bearer " + issuer.token(rotated, "system:serviceaccount:a:b", c -> c))
                        .GET());
                assertThat(jwksDown.statusCode()).as(jwksDown.body()).isEqualTo(503);
                assertThat(jwksDown.body()).contains("urn:datastorage:problem:auth-unavailable");
            }
        }
    }
}
