"""The CSV operations on contacts: import and export (their bodies are not JSON)."""
from chatbot.openapi.describe import READ, errors, ok
from chatbot.schemas.contact_import import ImportResult, export_query

CSV_EXAMPLE = "phone,name,categories\r\n+14155550123,Ada Lovelace,Customers;VIP\r\n"
CONTACTS_CSV = {
    "/api/contacts/import": {"post": {
        "tags": ["contacts"], "operationId": "importContacts", "summary": "Create or update contacts from a CSV",
        "description": "UTF-8 (BOM or not), a header row naming `phone`, `name` and optionally `categories` (any "
                       "order and case), `,` or `;` between cells (the header's), categories joined with `;`, "
                       "created when missing (matched case-insensitively). Each row is held to the rules of "
                       "`POST /api/contacts`; a known phone gets the row's name and joins its categories (never "
                       "leaves one); a phone already seen in the file is rejected as a duplicate of that line. "
                       "Rows are written in chunks of 5,000, each whole or not at all: after a 400 or 409 met "
                       "half-way, `details.written` counts what the chunks before it wrote. A `'` before a cell "
                       "starting with `=`, `+`, `-`, `@` (the export's neutralisation) is removed. At most "
                       "IMPORT_MAX_BYTES (20 MiB): 413 above.",
        "requestBody": {"required": True, "content": {
            "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
            "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"}}}}}},
        "responses": {**ok(ImportResult, "What the rows did; `rejected` lists every row not written and why "
                                         "(line 1 is the header)."),
                      **errors(400, 401, 409, 413, 429)}}},
    "/api/contacts/export": {"get": {
        "tags": ["contacts"], "operationId": "exportContacts", "summary": "Every contact (or a category's) as CSV",
        "description": "Streamed `text/csv` (UTF-8, no BOM, CRLF), `phone,name,categories`, contacts by id, "
                       "categories by name joined with `;`. A name or categories cell that a spreadsheet would "
                       "run as a formula (starting with `=`, `+`, `-`, `@`, tab, CR) gets a `'` in front, which "
                       "the import removes: exporting then importing changes nothing. Phones are E.164 as "
                       "stored (`+` and digits only: a spreadsheet can only read them as numbers).",
        "parameters": [{"in": "query", "schema": export_query}],
        "responses": {"200": {"description": "The file (`Content-Disposition: attachment; filename=contacts.csv`).",
                              "content": {"text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}}},
                      **errors(*READ, 404, 422)}}},
}
