-- wrk script for benches/serve.sh: POST one case to /v1/decide.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local path = os.getenv("CHARTER_CASE") or "examples/cases/complaint-office/accepted-phone.json"
local file = assert(io.open(path, "r"))
wrk.body = file:read("*a")
file:close()
