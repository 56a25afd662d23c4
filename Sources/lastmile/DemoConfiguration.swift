// The demo's network, built in so `lastmile demo` works from any directory.
// It is identical to probes/demo.toml; a test checks that the two agree.
enum DemoConfiguration {
    static let text = #"""
# The demo's network: three routes through the built-in simulator, time compressed
# so that intervals are seconds. `lastmile demo` runs this file when given no other.

[server]
listen = "127.0.0.1:9733"
# The simulator signs Twilio receipts over this URL, as Twilio would.
public_url = "http://127.0.0.1:9733"

[store]
retention = "1d"

[defaults]
interval = "3s"
jitter = "500ms"
threshold = "4s"
deadline = "12s"
body = "Lastmile check {token}"

# Healthy: the API accepts, receipts are honest, messages arrive within a second or two.
[[route]]
name = "healthy"
provider = "twilio"
api_url = "http://127.0.0.1:9734/twilio"
from = "+15005550006"
credentials = { account_sid = "ACdemo", auth_token = "demo-token" }

# Says "delivered" for everything while its carrier silently drops a share of messages.
[[route]]
name = "lying"
provider = "http"
from = "LASTMILE"
secret = "demo-bulk-token"
hook_secret = "demo-hook-token"

[route.request]
method = "POST"
url = "http://127.0.0.1:9734/api/v1/send_sms"
headers = { Authorization = "Bearer {secret}" }
json = { to = "{to}", text = "{body}", sender = "{from}" }

[route.response]
message_id = "messages.0.bx_message_id"
status = "messages.0.status"
accepted = ["QUEUED", "ACCEPTED"]

[route.receipt]
message_id = "message_id"
status = "status"
delivered = ["DELIVRD", "delivered"]
failed = ["UNDELIV", "REJECTD", "EXPIRED", "failed"]

# Queues messages so that many arrive after the threshold.
[[route]]
name = "queued"
provider = "twilio"
api_url = "http://127.0.0.1:9734/twilio"
from = "+15005550007"
credentials = { account_sid = "ACqueue", auth_token = "demo-token" }

[[receiver]]
name = "phone-tmo"
number = "+15551230001"
carrier = "T-Mobile US"
source = "android-sms-gateway"
clock = "receiver"
secret = "demo-signing-key"

[[receiver]]
name = "phone-att"
number = "+15551230002"
carrier = "AT&T"
source = "android-sms-gateway"
clock = "receiver"
secret = "demo-signing-key"

[[probe]]
name = "healthy"
route = "healthy"
receivers = ["phone-tmo", "phone-att"]

[[probe]]
name = "lying"
route = "lying"
receivers = ["phone-tmo", "phone-att"]

[[probe]]
name = "queued"
route = "queued"
receivers = ["phone-tmo", "phone-att"]

[[slo]]
name = "accepted-delivery"
indicator = "accepted_delivery"
objective = 0.99
window = "1h"

[[slo]]
name = "latency"
indicator = "latency"
objective = 0.95
window = "1h"

# Alerts on the demo's compressed time: DESIGN.md's tiers with hours shrunk to minutes,
# and fewer events needed because each route × carrier is probed every three seconds.
[alerting]
min_events = 6
# The sequential detectors page accepted-delivery losses. Time here runs about a hundred times
# faster than with five-minute probes, so a demo "year" of canaries is a few days of real time.
false_pages_per_year = 50
evaluation_interval = "1s"
repeat_interval = "10m"

[[alerting.tier]]
severity = "page"
long = "2m"
short = "30s"
factor = 14.4

[[alerting.tier]]
severity = "page"
long = "12m"
short = "1m"
factor = 6

[[alerting.tier]]
severity = "ticket"
long = "48m"
short = "4m"
factor = 3

[[alerting.tier]]
severity = "ticket"
long = "144m"
short = "12m"
factor = 1
"""#
}
