package io.stateguard.harness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One node's view of the cluster, parsed from {@code CLUSTER NODES}. Only what the harness needs: ids,
 * addresses, roles, master links, link state and slot ranges (migrating/importing markers are ignored).
 */
final class ClusterView {

    /** A contiguous, inclusive slot range. */
    record SlotRange(int from, int to) {
        @Override
        public String toString() {
            return from == to ? Integer.toString(from) : from + "-" + to;
        }
    }

    /** One line of {@code CLUSTER NODES}. */
    record Entry(String id, int port, Set<String> flags, String masterId, String linkState, List<SlotRange> slots) {

        boolean isMaster() {
            return flags.contains("master");
        }

        boolean isReplica() {
            return flags.contains("slave");
        }

        boolean isFailing() {
            return flags.contains("fail") || flags.contains("fail?");
        }

        boolean ownsSlot(int slot) {
            return slots.stream().anyMatch(range -> range.from() <= slot && slot <= range.to());
        }

        int firstSlot() {
            return slots.isEmpty() ? Integer.MAX_VALUE : slots.get(0).from();
        }

        /** Role, master and slots: what all nodes must agree on once the cluster has converged. */
        String signature() {
            return id + (isMaster() ? " master " : isReplica() ? " replica-of " + masterId : " " + flags) + " " + slots;
        }
    }

    private final List<Entry> entries;

    private ClusterView(List<Entry> entries) {
        this.entries = entries;
    }

    static ClusterView parse(String clusterNodes) {
        List<Entry> entries = new ArrayList<>();
        for (String line : clusterNodes.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.trim().split(" ");
            // <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <epoch> <link> <slot>...
            String address = fields[1];
            int colon = address.lastIndexOf(':', address.indexOf('@') < 0 ? address.length() : address.indexOf('@'));
            int at = address.indexOf('@');
            int port = Integer.parseInt(address.substring(colon + 1, at < 0 ? address.length() : at));
            Set<String> flags = new TreeSet<>(Arrays.asList(fields[2].split(",")));
            List<SlotRange> slots = new ArrayList<>();
            for (int i = 8; i < fields.length; i++) {
                String slot = fields[i];
                if (slot.startsWith("[")) {
                    continue; // [slot->-id] / [slot-<-id]: migration in progress
                }
                int dash = slot.indexOf('-');
                slots.add(dash < 0
                        ? new SlotRange(Integer.parseInt(slot), Integer.parseInt(slot))
                        : new SlotRange(Integer.parseInt(slot.substring(0, dash)), Integer.parseInt(slot.substring(dash + 1))));
            }
            slots.sort(Comparator.comparingInt(SlotRange::from));
            entries.add(new Entry(fields[0], port, Set.copyOf(flags), fields[3], fields[7], List.copyOf(slots)));
        }
        return new ClusterView(List.copyOf(entries));
    }

    List<Entry> entries() {
        return entries;
    }

    Optional<Entry> myself() {
        return entries.stream().filter(entry -> entry.flags().contains("myself")).findFirst();
    }

    Optional<Entry> byId(String id) {
        return entries.stream().filter(entry -> entry.id().equals(id)).findFirst();
    }

    Optional<Entry> byPort(int port) {
        return entries.stream().filter(entry -> entry.port() == port).findFirst();
    }

    /** @return healthy masters owning slots, ordered by their first slot */
    List<Entry> masters() {
        return entries.stream()
                .filter(entry -> entry.isMaster() && !entry.isFailing() && !entry.slots().isEmpty())
                .sorted(Comparator.comparingInt(Entry::firstSlot))
                .collect(Collectors.toList());
    }

    /** @return healthy replicas of {@code masterId}, ordered by port */
    List<Entry> replicasOf(String masterId) {
        return entries.stream()
                .filter(entry -> entry.isReplica() && !entry.isFailing() && entry.masterId().equals(masterId))
                .sorted(Comparator.comparingInt(Entry::port))
                .collect(Collectors.toList());
    }

    Optional<Entry> ownerOf(int slot) {
        return masters().stream().filter(entry -> entry.ownsSlot(slot)).findFirst();
    }

    /** @return the sorted signatures of all entries: equal on all nodes once the cluster has converged */
    String signature() {
        return entries.stream().map(Entry::signature).sorted().collect(Collectors.joining("; "));
    }
}
