#!/usr/bin/env bash
# Asks a real org each question the wire-format reference lists as "Not confirmed" and prints
# what the org really answered, so one live run settles them. Informational: it fails only when
# it cannot talk to the org at all.
#
# Needs: SF_INSTANCE_URL, SF_ACCESS_TOKEN (masked by the caller), API_VERSION, curl, jq.
# Touches only the test type's Probe record (SCT_Setting.Probe).
set -uo pipefail

: "${SF_INSTANCE_URL:?}" "${SF_ACCESS_TOKEN:?}" "${API_VERSION:?}"
soap_url="$SF_INSTANCE_URL/services/Soap/m/$API_VERSION"
rest="$SF_INSTANCE_URL/services/data/v$API_VERSION"

section() { printf '\n===== %s\n' "$*"; }

# soap BODY: POSTs a Metadata API operation; prints the HTTP status and the answer.
soap() {
  local envelope
  envelope='<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:met="http://soap.sforce.com/2006/04/metadata"><soapenv:Header><met:SessionHeader><met:sessionId>'"$SF_ACCESS_TOKEN"'</met:sessionId></met:SessionHeader></soapenv:Header><soapenv:Body>'"$1"'</soapenv:Body></soapenv:Envelope>'
  curl -sS -w '\n[HTTP %{http_code}]\n' -X POST "$soap_url" \
    -H 'Content-Type: text/xml; charset=UTF-8' -H 'SOAPAction: ""' --data-binary "$envelope"
}

read_md() { soap "<met:readMetadata><met:type>$1</met:type><met:fullNames>$2</met:fullNames></met:readMetadata>"; }

# get PATH [QUERY]: REST GET; prints status, the limit header and the body.
get() {
  local args=(-sS -G -D - -w '\n[HTTP %{http_code}]\n' "$rest/$1")
  if [ -n "${2:-}" ]; then args+=(--data-urlencode "q=$2"); fi
  curl "${args[@]}" -H "Authorization: Bearer $SF_ACCESS_TOKEN" -H 'Accept: application/json' |
    grep -iv '^\(set-cookie\|strict-transport\|x-content\|x-xss\|x-robots\|cache-control\|expires\|content-security\|vary\|date\|server\):'
}

soql_probe() {
  curl -sS -G "$rest/query" --data-urlencode "q=SELECT Setting__c, Description__c, Batch_Size__c, Since__c, Notes__c, Sync_Media__c FROM SCT_Setting__mdt WHERE DeveloperName = 'Probe'" \
    -H "Authorization: Bearer $SF_ACCESS_TOKEN"
}

section "Not-found shape and live SOAP prefixes: readMetadata of a name that does not exist"
read_md CustomMetadata SCT_Setting.No_Such_Record
section "Live SOAP prefixes: readMetadata of the Triggers Enabled record"
read_md CustomMetadata SCT_Setting.Triggers_Enabled
section "Field manageability as readMetadata shows it (CustomField)"
read_md CustomField SCT_Setting_Text__mdt.Setting__c
read_md CustomField SCT_Setting__mdt.Setting__c

section "Are omitted values and an omitted description cleared? updateMetadata of Probe with only label, protected and Setting"
echo "before:"; soql_probe; echo
soap '<met:updateMetadata><met:metadata xsi:type="met:CustomMetadata"><met:fullName>SCT_Setting.Probe</met:fullName><met:label>Probe</met:label><met:protected>false</met:protected><met:values><met:field>Setting__c</met:field><met:value xsi:type="xsd:boolean">false</met:value></met:values></met:metadata></met:updateMetadata>'
echo "after (readMetadata):"; read_md CustomMetadata SCT_Setting.Probe
echo "after (SOQL):"; soql_probe; echo

section "A value without xsi:type"
soap '<met:updateMetadata><met:metadata xsi:type="met:CustomMetadata"><met:fullName>SCT_Setting.Probe</met:fullName><met:label>Probe</met:label><met:protected>false</met:protected><met:values><met:field>Setting__c</met:field><met:value>true</met:value></met:values></met:metadata></met:updateMetadata>'
section "A value typed unlike its field (xsd:string into a Checkbox)"
soap '<met:updateMetadata><met:metadata xsi:type="met:CustomMetadata"><met:fullName>SCT_Setting.Probe</met:fullName><met:label>Probe</met:label><met:protected>false</met:protected><met:values><met:field>Setting__c</met:field><met:value xsi:type="xsd:string">true</met:value></met:values></met:metadata></met:updateMetadata>'
section "updateMetadata of a record that does not exist (statusCode of the refusal)"
soap '<met:updateMetadata><met:metadata xsi:type="met:CustomMetadata"><met:fullName>SCT_Setting.No_Such_Record</met:fullName><met:label>x</met:label><met:values><met:field>Setting__c</met:field><met:value xsi:type="xsd:boolean">true</met:value></met:values></met:metadata></met:updateMetadata>'

section "CMDT cache delay: flip Probe, then poll SOQL until it shows the new value"
soap '<met:updateMetadata><met:metadata xsi:type="met:CustomMetadata"><met:fullName>SCT_Setting.Probe</met:fullName><met:label>Probe</met:label><met:protected>false</met:protected><met:values><met:field>Setting__c</met:field><met:value xsi:type="xsd:boolean">true</met:value></met:values></met:metadata></met:updateMetadata>' >/dev/null
start=$(date +%s%N)
for i in $(seq 1 60); do
  value=$(soql_probe | jq -r 'if type == "object" then .records[0].Setting__c else "an error" end')
  if [ "$value" = "an error" ]; then echo "SOQL answered with an error:"; soql_probe; echo; break; fi
  if [ "$value" = "true" ]; then
    echo "SOQL showed the new value after $(( ($(date +%s%N) - start) / 1000000 )) ms ($i reads)"
    break
  fi
  sleep 0.5
done
case "${value:-}" in true | "an error") ;; *) echo "SOQL still showed ${value:-nothing} after 60 reads" ;; esac

section "EntityDefinition / FieldDefinition through the plain /query resource"
get query "SELECT QualifiedApiName, Label, NamespacePrefix FROM EntityDefinition WHERE Label = 'StoreConnect Setting'"
get query "SELECT QualifiedApiName, Label, DataType FROM FieldDefinition WHERE EntityDefinition.QualifiedApiName = 'SCT_Setting__mdt'"

section "REST headers (Retry-After is only documented for Marketing Cloud; look for it here)"
get limits/ | head -40

section "Not settled by this kit"
cat <<'TXT'
- My Domain URL as JWT aud, JWT issued_at/signature: need a connected app with a certificate,
  which a fresh scratch org does not have (see docs/live-org-tests.md, "JWT").
- The error for writing a DeveloperControlled/Locked field: only an installed managed package
  enforces field manageability; in this unmanaged scratch org the write above succeeds.
  The readMetadata of the CustomField above shows what the org stores.
- Whether token calls count against the API allocation: compare the api-usage numbers in the
  Sforce-Limit-Info headers printed by the workflow before and after its sign-ins.
- The username-password flow's retirement date: not observable from an org.
TXT
