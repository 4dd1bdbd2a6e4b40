# Turns benchmarks/run's results.csv (scenario,load,server,round,rps_or_Bps,p50_ms,p99_ms,errors,
# rss_kb,kb_per_conn) into one Markdown table: medians per scenario, load and server, and the
# ratio gonetpoll / server of the scenario's main metric.

function median(list,    n, a, i, j, t) {
  n = split(list, a, " ")
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
  if (n == 0) return ""
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

NR == 1 { next }
{
  key = $1 SUBSEP $2 SUBSEP $3
  if (!(key in seen)) { seen[key] = 1; order[++count] = key }
  if ($10 ~ /^unavailable/) { status[key] = $10; next }
  if ($1 == "S3") metric[key] = metric[key] " " $10; else metric[key] = metric[key] " " $5
  p50[key] = p50[key] " " $6; p99[key] = p99[key] " " $7
  errors[key] += $8; rss[key] = $9; rounds[key]++
}
END {
  print "| scenario | load | server | main metric (median) | p50 ms | p99 ms | errors | RSS MB | gonetpoll / this |"
  print "|---|---|---|---|---|---|---|---|---|"
  for (i = 1; i <= count; i++) {
    key = order[i]; split(key, k, SUBSEP)
    if (key in status) { m[key] = ""; continue }
    m[key] = median(metric[key])
  }
  for (i = 1; i <= count; i++) {
    key = order[i]; split(key, k, SUBSEP)
    if (key in status) { printf "| %s | %s | %s | %s | | | | | |\n", k[1], k[2], k[3], status[key]; continue }
    ref = k[1] SUBSEP k[2] SUBSEP "gonetpoll"
    if (k[1] == "S3") { shown = sprintf("%.2f KB/conn", m[key]) }
    else if (k[1] == "S4") { shown = sprintf("%.1f MB/s", m[key] / 1e6) }
    else { shown = sprintf("%.0f req/s", m[key]) }
    ratio = ""
    if ((ref in m) && m[ref] != "" && m[key] + 0 != 0) ratio = sprintf("%.2f", m[ref] / m[key])
    if (k[3] == "gonetpoll") ratio = "1.00"
    printf "| %s | %s | %s | %s | %s | %s | %d | %.0f | %s |\n", k[1], k[2], k[3], shown, \
      median(p50[key]), median(p99[key]), errors[key], rss[key] / 1024, ratio
  }
}
