package io.datastorage.server.migration;

import io.datastorage.server.config.DatastorageProperties.LegacyType;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code datastorage.migration.legacy.type} names a legacy store (not {@code none}).
 * Bound as the properties bind it (relaxed: {@code json-files}, {@code JSON_FILES}); a value that
 * does not bind does not match here, and the properties' own binding then stops start-up naming it.
 */
final class MigrationConfigured extends SpringBootCondition {
    static final String PROPERTY = "datastorage.migration.legacy.type";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        LegacyType type;
        try {
            type = Binder.get(context.getEnvironment()).bind(PROPERTY, LegacyType.class).orElse(LegacyType.NONE);
        } catch (RuntimeException e) {
            return ConditionOutcome.noMatch(PROPERTY + " does not bind: " + e.getMessage());
        }
        return type == LegacyType.NONE ? ConditionOutcome.noMatch(PROPERTY + " is none")
                : ConditionOutcome.match(PROPERTY + " is " + type);
    }
}
