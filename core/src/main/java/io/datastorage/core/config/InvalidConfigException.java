package io.datastorage.core.config;

/**
 * A setting of a module's config record has a value the module cannot run with. Permanent: the
 * same value fails again. The message reads {@code <setting> <requirement>, was <value>}, e.g.
 * {@code pool-size must be 1..500, was 0}.
 *
 * <p>A module names its settings relative to itself, in the kebab-case an operator writes
 * ({@code pool-size}); whoever maps configuration onto the module puts the prefix in front with
 * {@link #under(String)}, so the operator reads the property they set
 * ({@code datastorage.db.pool-size must be 1..500, was 0}).
 */
public final class InvalidConfigException extends IllegalArgumentException {
    private final String setting;
    private final String requirement;
    private final String was;

    /**
     * @param setting     the setting's name, e.g. {@code pool-size}
     * @param requirement what is allowed, e.g. {@code must be 1..500}
     * @param was         the value as the operator would recognise it, quoted where it is text,
     *                    with any secret redacted; {@code empty} when nothing was given
     */
    public InvalidConfigException(String setting, String requirement, String was) {
        super(setting + " " + requirement + ", was " + was);
        this.setting = setting;
        this.requirement = requirement;
        this.was = was;
    }

    /** The same failure with the setting named {@code prefix + setting}. */
    public InvalidConfigException under(String prefix) {
        InvalidConfigException renamed = new InvalidConfigException(prefix + setting, requirement, was);
        renamed.setStackTrace(getStackTrace());
        return renamed;
    }

    /** The same failure with a condition on the requirement: {@code must be set when <condition>}. */
    public InvalidConfigException when(String condition) {
        InvalidConfigException conditional = new InvalidConfigException(setting, requirement + " when " + condition, was);
        conditional.setStackTrace(getStackTrace());
        return conditional;
    }

    public String setting() {
        return setting;
    }

    public String requirement() {
        return requirement;
    }

    public String was() {
        return was;
    }
}
