package io.quiver.storage;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Runs a test class only when the environment variables naming its real server are set (see
 * deploy/local/deps.sh). Without them the tests are skipped, unless the system property
 * {@code quiver.integration.required=true} is set (the {@code -Pintegration} Maven profile, and the cluster test
 * run's StorageConformanceTest): then a missing variable fails the class instead of silently skipping it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresEnv.Condition.class)
public @interface RequiresEnv {
    String[] value();

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getElement()
                    .flatMap(e -> AnnotationSupport.findAnnotation(e, RequiresEnv.class))
                    .map(a -> evaluate(a.value()))
                    .orElse(ConditionEvaluationResult.enabled("no @RequiresEnv"));
        }

        private static ConditionEvaluationResult evaluate(String[] names) {
            List<String> missing = Arrays.stream(names).filter(n -> env(n) == null).toList();
            if (missing.isEmpty()) {
                return ConditionEvaluationResult.enabled("environment has " + String.join(", ", names));
            }
            String why = "environment variables " + missing + " not set (start the servers: eval \"$(deploy/local/deps.sh up)\")";
            if (Boolean.getBoolean("quiver.integration.required")) {
                throw new IllegalStateException("integration tests required (-Pintegration) but " + why);
            }
            return ConditionEvaluationResult.disabled(why);
        }

        /**
         * The variable's value, null if unset or blank; the system property {@code quiver.env.<NAME>} stands in for it
         * (the cluster test run starts the servers itself and runs these suites in its own JVM).
         */
        public static String env(String name) {
            String v = System.getenv(name);
            if (v == null || v.isBlank()) {
                v = System.getProperty("quiver.env." + name);
            }
            return v == null || v.isBlank() ? null : v.trim();
        }
    }
}
