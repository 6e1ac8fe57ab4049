#!/bin/sh
# Creates the RedGrid topics on the production Kafka with infinite retention (idempotent).
set -eu
BOOTSTRAP="${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}"
for topic in redgrid.intake.events redgrid.dispatch.events; do
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$topic" --partitions "${TOPIC_PARTITIONS:-6}" --replication-factor 1 \
    --config retention.ms=-1 --config retention.bytes=-1
done
