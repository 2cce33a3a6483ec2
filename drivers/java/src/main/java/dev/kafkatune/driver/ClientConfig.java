package dev.kafkatune.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;

/** What consumers and producers share about their configuration: the name check and the resolved text. */
final class ClientConfig {
    private ClientConfig() {}

    /**
     * kafka-clients ignores unknown property names with nothing but a log line, so a typo
     * ("fetch.min.byte") would measure the default while the report claims otherwise.
     * Refuse them instead. Names under a known prefix (config.providers.NAME.class) pass,
     * and the check is off when interceptors or metric reporters are configured, since
     * those plugins read their own keys from the same map. {@code kind}: "consumer" or "producer".
     */
    static void checkNames(Set<String> names, Set<String> known, String kind, String version) {
        if (names.contains(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG) || names.contains(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG)
                || names.contains(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG)) {
            return;
        }
        for (String name : names) {
            if (known.contains(name) || known.stream().anyMatch(k -> name.startsWith(k + "."))) {
                continue;
            }
            throw new ConfigException("unknown " + kind + " property '" + name + "': not a kafka-clients "
                    + version + " " + kind + " config (the client would ignore it silently)");
        }
    }

    /** A resolved configuration ({@code AbstractConfig.values()}) as text; passwords print as {@code [hidden]}. */
    static SortedMap<String, String> text(Map<String, ?> values) {
        SortedMap<String, String> out = new TreeMap<>();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            out.put(e.getKey(), text(e.getValue()));
        }
        return out;
    }

    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Class<?> c) {
            return c.getName();
        }
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object item : list) {
                items.add(text(item));
            }
            return String.join(",", items);
        }
        return String.valueOf(value);
    }
}
