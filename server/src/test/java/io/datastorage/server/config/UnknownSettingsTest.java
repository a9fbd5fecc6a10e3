package io.datastorage.server.config;

import org.junit.jupiter.api.Test;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which given names are settings, matched as Spring Boot binds them (relaxed names, environment
 * variables, map keys), and which are typos that would otherwise leave a default in place silently.
 */
class UnknownSettingsTest {
    private static List<String> unknown(Map<String, Object> arguments, Map<String, Object> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addFirst(new MapPropertySource("commandLineArgs", arguments));
        environment.getPropertySources().addLast(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        return UnknownSettings.unknown(UnknownSettings.ROOTS, environment);
    }

    @Test
    void everyDocumentedFormOfASettingIsKnown() {
        Map<String, Object> arguments = Map.of("datastorage.db.embedded-port", "0", "datastorage.db.embeddedPort", "0",
                "datastorage.data-dir", "x", "datastorage.retention.periods.remediation", "400d",
                "datastorage.auth.mode", "jwt", "datastorage.auth.jwt.issuer", "https://issuer",
                "datastorage.integrity.seal-delay", "1m", "datastorage.auth.kubernetes.timeout", "5s",
                "datastorage.index.solr.urls", "http://solr:8983/solr", "server.port", "8080");
        Map<String, Object> variables = Map.of("DATASTORAGE_DB_EMBEDDED_PORT", "0", "DATASTORAGE_DATA_DIR", "x",
                "DATASTORAGE_RETENTION_PERIODS_AIANALYSIS", "30d", "DATASTORAGE_AUTH_JWT_JWKS_URI", "https://k",
                "DATASTORAGE_RATELIMIT_REQUESTS_PER_SECOND", "5", "DATASTORAGE_INDEX_SOLR_COLLECTION", "audit");

        assertThat(unknown(arguments, variables)).isEmpty();
    }

    @Test
    void aMisspelledNameIsUnknownWhereverItWasGiven() {
        Map<String, Object> arguments = Map.of("datastorage.auth.mod", "jwt",
                "datastorage.retention.period.remediation", "1d", "datastorage.db.pool", "5", "datastorage.dbx", "1");
        Map<String, Object> variables = Map.of("DATASTORAGE_AUTH_MOD", "jwt",
                "DATASTORAGE_RETENTION_PERIOD_REMEDIATION", "1d", "DATASTORAGE_INTEGRITY_SEAL_DELAYS", "1m");

        assertThat(unknown(arguments, variables)).hasSize(7).anySatisfy(s -> assertThat(s).startsWith("datastorage.auth.mod "))
                .anySatisfy(s -> assertThat(s).contains("DATASTORAGE_RETENTION_PERIOD_REMEDIATION"))
                .anySatisfy(s -> assertThat(s).startsWith("datastorage.dbx "))
                .anySatisfy(s -> assertThat(s).contains("DATASTORAGE_INTEGRITY_SEAL_DELAYS"));
    }

    /** The launcher's and the command line's own variables share the DATASTORAGE_ prefix. */
    @Test
    void anEnvironmentVariableOutsideEveryGroupOfSettingsIsNotOurs() {
        Map<String, Object> variables = Map.of("DATASTORAGE_TOKEN", "t", "DATASTORAGE_TOKEN_FILE", "/f",
                "DATASTORAGE_JAVA_OPTS", "-Xmx1g", "DATASTORAGE_SKIP_BUILD", "1");

        assertThat(unknown(Map.of(), variables)).isEmpty();
        assertThat(unknown(Map.of("datastorage.token", "t"), Map.of())).hasSize(1);
    }

    @Test
    void everyConfigurationPropertiesClassIsARoot() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false) {
            @Override
            protected boolean isCandidateComponent(AnnotatedBeanDefinition definition) {
                return definition.getMetadata().isIndependent();
            }
        };
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        List<String> annotated = scanner.findCandidateComponents("io.datastorage").stream()
                .map(BeanDefinition::getBeanClassName).toList();

        assertThat(annotated).isNotEmpty()
                .containsExactlyInAnyOrderElementsOf(UnknownSettings.ROOTS.stream().map(Class::getName).toList());
    }
}
