package io.datastorage.server.config;

import io.datastorage.server.integrity.IntegrityProperties;
import io.datastorage.server.retention.RetentionProperties;
import io.datastorage.server.security.AuthProperties;
import io.datastorage.server.security.RateLimitProperties;
import io.datastorage.server.security.TokenReviewConfiguration;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.diagnostics.FailureAnalyzedException;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.stereotype.Component;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Stops start-up when a {@code datastorage.*} setting names nothing the service reads. Spring Boot
 * binds the names it knows and ignores the rest, so a misspelled name ({@code datastorage.auth.mod=jwt},
 * {@code DATASTORAGE_RETENTION_PERIOD_REMEDIATION}) would leave the default in place without a
 * word: no authentication, no retention.
 *
 * <p>The names known are those of the {@code @ConfigurationProperties} records (their components,
 * nested records, and any key under a map), whether or not a value was given; every name given in
 * an enumerable property source (command line, system properties, configuration files, the
 * environment) under {@code datastorage} is matched against them as Spring Boot matches it
 * (relaxed: {@code embedded-port}, {@code embeddedPort} and {@code DATASTORAGE_DB_EMBEDDED_PORT}
 * are one name). Boot's own {@code ignoreUnknownFields = false} cannot do this here: several
 * records share the prefix {@code datastorage}, and each would call the others' settings unknown.
 * An environment variable whose first word after {@code DATASTORAGE_} is no group of settings is
 * left alone: {@code DATASTORAGE_TOKEN} and {@code DATASTORAGE_JAVA_OPTS} belong to the command
 * line and the launcher.
 */
@Component
public class UnknownSettings implements SmartInitializingSingleton {
    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("datastorage");

    private final ConfigurableEnvironment environment;

    public UnknownSettings(ConfigurableEnvironment environment) {
        this.environment = environment;
    }

    /**
     * Every {@code @ConfigurationProperties} record of the service, whether or not this start binds
     * it (the Kubernetes settings are bound in mode tokenreview only); {@code UnknownSettingsTest}
     * checks that no such class is missing.
     */
    static final List<Class<?>> ROOTS = List.of(DatastorageProperties.class, IntegrityProperties.class,
            RetentionProperties.class, AuthProperties.class, RateLimitProperties.class,
            TokenReviewConfiguration.KubernetesAuthProperties.class);

    @Override
    public void afterSingletonsInstantiated() {
        List<String> unknown = unknown(ROOTS, environment);
        if (!unknown.isEmpty()) {
            throw new UnknownSettingException(unknown);
        }
    }

    /** Each name given under {@code datastorage} that no root reads, with where it was given. */
    static List<String> unknown(List<Class<?>> roots, ConfigurableEnvironment environment) {
        TreeSet<String> unknown = new TreeSet<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            boolean fromEnvironment = source.getUnderlyingSource() instanceof PropertySource<?> p
                    && StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(p.getName());
            iterable.stream().filter(ROOT::isAncestorOf).forEach(name -> {
                Known known = known(roots, name);
                if (known == Known.NO || known == Known.NO_GROUP && !fromEnvironment) {
                    ConfigurationProperty property = source.getConfigurationProperty(name);
                    Object origin = property == null ? null : property.getOrigin();
                    unknown.add(name + (origin == null ? "" : " (" + origin + ")"));
                }
            });
        }
        return new ArrayList<>(unknown);
    }

    enum Known { YES, NO, NO_GROUP }

    private static Known known(List<Class<?>> roots, ConfigurationPropertyName name) {
        List<String> elements = new ArrayList<>();
        for (int i = 0; i < name.getNumberOfElements(); i++) {
            elements.add(name.getElement(i, Form.UNIFORM));
        }
        boolean anyGroup = false;
        for (Class<?> root : roots) {
            ConfigurationProperties annotation = root.getAnnotation(ConfigurationProperties.class);
            ConfigurationPropertyName prefix = ConfigurationPropertyName.of(
                    annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix());
            int depth = prefix.getNumberOfElements();
            if (elements.size() <= depth || !prefix.isAncestorOf(name)) {
                continue;
            }
            if (matches(root, elements, depth)) {
                return Known.YES;
            }
            anyGroup |= depth > 1 || startsAGroup(root, elements, depth);
        }
        return anyGroup ? Known.NO : Known.NO_GROUP;
    }

    /** Whether {@code elements} from {@code from} name a setting of the record {@code type}. */
    private static boolean matches(Type type, List<String> elements, int from) {
        Class<?> raw = raw(type);
        if (from == elements.size()) {
            return !raw.isRecord();
        }
        if (Map.class.isAssignableFrom(raw)) {
            return true; // any key
        }
        if (Collection.class.isAssignableFrom(raw) || raw.isArray()) {
            return elements.subList(from, elements.size()).stream().allMatch(e -> e.chars().allMatch(Character::isDigit));
        }
        if (!raw.isRecord()) {
            return false;
        }
        // an environment variable splits embedded-port into EMBEDDED_PORT: join elements to match a component
        StringBuilder joined = new StringBuilder();
        for (int to = from; to < elements.size(); to++) {
            joined.append(elements.get(to));
            for (RecordComponent component : raw.getRecordComponents()) {
                if (uniform(component.getName()).equals(joined.toString())
                        && matches(component.getGenericType(), elements, to + 1)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the first element(s) from {@code from} name a component of {@code type} (a group of settings). */
    private static boolean startsAGroup(Class<?> type, List<String> elements, int from) {
        StringBuilder joined = new StringBuilder();
        for (int to = from; to < elements.size(); to++) {
            joined.append(elements.get(to));
            for (RecordComponent component : type.getRecordComponents()) {
                if (uniform(component.getName()).equals(joined.toString())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class;
    }

    /** A component's name as Boot compares elements: lower case, no dashes ({@code embeddedPort} → {@code embeddedport}). */
    private static String uniform(String componentName) {
        return componentName.toLowerCase(Locale.ROOT);
    }

    /**
     * Settings were given that the service does not read; start-up reports it as Boot reports a bad
     * value ("APPLICATION FAILED TO START", the names, where each was given, what to do).
     */
    public static final class UnknownSettingException extends FailureAnalyzedException {
        private final List<String> settings;

        UnknownSettingException(List<String> settings) {
            super("Unknown setting(s), misspelled or not read by this version: " + String.join(", ", settings) + ".",
                    "Correct or remove them: docs/configuration.md lists every datastorage.* setting.");
            this.settings = List.copyOf(settings);
        }

        public List<String> settings() {
            return settings;
        }
    }
}
