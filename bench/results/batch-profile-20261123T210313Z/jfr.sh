#!/bin/sh
# called by BatchLoad: start before the measured load, stop after it (messagesIn read at both ends)
curl -s "http://127.0.0.1:18599/api/v1/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["messagesIn"])' > "/work/wt-batch/bench/results/batch-profile-20261123T210313Z/messages-$1.txt"
if [ "$1" = start ]; then "/usr/lib/jvm/temurin-25-jdk-amd64/bin/jcmd" 21509 JFR.start name=batch filename="/work/wt-batch/bench/results/batch-profile-20261123T210313Z/herald.jfr" settings=profile allocation-profiling=maximum > /dev/null
else "/usr/lib/jvm/temurin-25-jdk-amd64/bin/jcmd" 21509 JFR.stop name=batch > /dev/null; fi
