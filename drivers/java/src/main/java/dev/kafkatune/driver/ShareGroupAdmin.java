package dev.kafkatune.driver;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;

/**
 * {@code java -cp ... dev.kafkatune.driver.ShareGroupAdmin configure ADMIN_PROPERTIES GROUP
 * [--start-offsets TOPIC P=OFFSET,...] NAME=VALUE...}:
 * sets a share group's own configuration (share.auto.offset.reset, share.record.lock.duration.ms,
 * ...) with {@code incrementalAlterConfigs} on the GROUP resource, before its members start;
 * with {@code --start-offsets}, also where it starts reading ({@code alterShareGroupOffsets}).
 *
 * <p>Why Java: the rdkafka crate (0.39) has only the legacy, non-incremental AlterConfigs,
 * and librdkafka 2.12.1's resource types stop before Kafka's GROUP config resource (type 32,
 * KIP-848/KIP-932), so kafkatune's own admin cannot reach group configs. This is what
 * {@code kafka-configs.sh --entity-type groups --alter --add-config} sends.
 *
 * <p>Exit 0 when the broker accepted every setting; 1 with the broker's own message as the
 * last stderr line ({@code refused: ...}) when it did not; 2 on bad arguments.
 */
public final class ShareGroupAdmin {
    private static final long TIMEOUT_S = 30;

    private ShareGroupAdmin() {}

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        if (args.length < 3 || !"configure".equals(args[0])) {
            System.err.println("usage: ShareGroupAdmin configure ADMIN_PROPERTIES GROUP NAME=VALUE...");
            System.exit(2);
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            props.load(in);
        } catch (Exception e) {
            System.err.println("refused: cannot read " + args[1] + ": " + Main.oneLine(e));
            System.exit(2);
        }
        int first = 3;
        Map<TopicPartition, Long> startOffsets = new HashMap<>();
        if (args.length >= 6 && "--start-offsets".equals(args[3])) {
            for (String at : args[5].split(",")) {
                int eq = at.indexOf('=');
                if (eq <= 0) {
                    System.err.println("refused: expected PARTITION=OFFSET, got " + at);
                    System.exit(2);
                }
                startOffsets.put(new TopicPartition(args[4], Integer.parseInt(at.substring(0, eq))),
                        Long.parseLong(at.substring(eq + 1)));
            }
            first = 6;
        }
        List<AlterConfigOp> ops = new ArrayList<>();
        for (int i = first; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("refused: expected NAME=VALUE, got " + args[i]);
                System.exit(2);
            }
            ops.add(new AlterConfigOp(new ConfigEntry(args[i].substring(0, eq), args[i].substring(eq + 1)), AlterConfigOp.OpType.SET));
        }
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, args[2]);
        try (Admin admin = Admin.create(props)) {
            admin.incrementalAlterConfigs(Map.of(group, ops)).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            if (!startOffsets.isEmpty()) {
                // A live run's group starts at the end offsets taken just before it, so that
                // it reads what the run sends and nothing older.
                admin.alterShareGroupOffsets(args[2], startOffsets).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            // The broker's own words: InvalidConfigurationException and its message.
            Throwable cause = e.getCause() == null ? e : e.getCause();
            System.err.println("refused: " + cause.getMessage());
            System.exit(1);
        } catch (Exception e) {
            System.err.println("refused: " + Main.oneLine(e));
            System.exit(1);
        }
        System.exit(0);
    }
}
