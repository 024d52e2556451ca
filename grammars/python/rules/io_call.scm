; Rule io_call: a function that reads or writes files, runs processes, talks over the network or to
; a database, and logs nothing at all: when it fails or misbehaves there is no trace of what it did.
; Capture names are the contract with logsmith/syntax/batch_rules.py (see grammars/python/README.md, "Rules").
;
; Each capture is a call node; the part after `io.` names the kind of I/O shown to the user.
; sites.py takes the first such call of each function (calls in nested functions belong to them),
; skips functions that report anywhere and test functions (test_*), and puts the statement before
; the statement that holds the call.
;   @io.file @io.process @io.network @io.database

; open(path), io.open(path)
((call function: (identifier) @_name) @io.file
  (#eq? @_name "open"))
((call function: (attribute object: (identifier) @_module attribute: (identifier) @_name)) @io.file
  (#eq? @_module "io") (#eq? @_name "open"))

; os.remove(path), os.rename(a, b), os.makedirs(d) ...
((call function: (attribute object: (identifier) @_module attribute: (identifier) @_name)) @io.file
  (#eq? @_module "os")
  (#any-of? @_name "remove" "unlink" "rename" "replace" "rmdir" "removedirs" "makedirs" "mkdir"
    "truncate" "chmod" "chown" "symlink" "link" "utime" "listdir" "scandir"))

; shutil.copy(a, b), shutil.rmtree(d), shutil.move(a, b) ...
((call function: (attribute object: (identifier) @_module attribute: (identifier) @_name)) @io.file
  (#eq? @_module "shutil")
  (#any-of? @_name "copy" "copy2" "copyfile" "copytree" "copyfileobj" "move" "rmtree"
    "make_archive" "unpack_archive" "chown"))

; path.read_text(), path.write_bytes(data), path.unlink() (pathlib)
((call function: (attribute attribute: (identifier) @_name)) @io.file
  (#any-of? @_name "read_text" "write_text" "read_bytes" "write_bytes" "unlink" "rmdir" "touch"
    "symlink_to" "hardlink_to"))

; json.load(fp) / json.dump(obj, fp) / pickle.load(fp): reading or writing an open file
((call function: (attribute object: (identifier) @_module attribute: (identifier) @_name)) @io.file
  (#any-of? @_module "json" "pickle" "marshal" "tomllib")
  (#any-of? @_name "load" "dump"))

; subprocess.run([...]), subprocess.Popen(...), os.system(cmd), asyncio.create_subprocess_exec(...)
((call function: (attribute object: (identifier) @_module attribute: (identifier) @_name)) @io.process
  (#eq? @_module "subprocess")
  (#any-of? @_name "run" "call" "check_call" "check_output" "Popen" "getoutput" "getstatusoutput"))
((call function: (attribute object: (identifier) @_module attribute: (identifier) @_name)) @io.process
  (#eq? @_module "os")
  (#match? @_name "^(system|popen|kill|killpg|exec[lv]p?e?|spawn[lv]p?e?)$"))
((call function: (attribute object: (identifier) @_module attribute: (identifier) @_name)) @io.process
  (#eq? @_module "asyncio")
  (#any-of? @_name "create_subprocess_exec" "create_subprocess_shell"))

; requests.get(url), httpx.post(url, json=...), aiohttp.request(...)
((call function: (attribute object: (identifier) @_module attribute: (identifier) @_name)) @io.network
  (#any-of? @_module "requests" "httpx" "aiohttp")
  (#any-of? @_name "get" "post" "put" "patch" "delete" "head" "options" "request" "stream"))

; urlopen(url), urllib.request.urlopen(url), urlretrieve(url, path)
((call function: (identifier) @_name) @io.network
  (#any-of? @_name "urlopen" "urlretrieve"))
((call function: (attribute attribute: (identifier) @_name)) @io.network
  (#any-of? @_name "urlopen" "urlretrieve"))

; socket.create_connection(addr), socket.socket(...), smtplib.SMTP(host), ftplib.FTP(host), http.client.HTTPSConnection(host)
((call function: (attribute object: (identifier) @_module attribute: (identifier) @_name)) @io.network
  (#eq? @_module "socket") (#any-of? @_name "create_connection" "socket" "getaddrinfo" "gethostbyname"))
((call function: (attribute attribute: (identifier) @_name)) @io.network
  (#any-of? @_name "SMTP" "SMTP_SSL" "FTP" "FTP_TLS" "HTTPConnection" "HTTPSConnection"))

; session.get(url), self.client.post(url), http.request("GET", url): HTTP-ish clients by receiver name
((call function: (attribute object: (_) @_receiver attribute: (identifier) @_name)) @io.network
  (#match? @_receiver "(^|\\.)_?(session|client|http|http_client|api|conn|connection|sock|socket)$")
  (#any-of? @_name "get" "post" "put" "patch" "delete" "head" "request" "send" "sendall" "recv"
    "connect" "urlopen"))

; cursor.execute(sql), self.conn.commit(), db.executemany(sql, rows), sqlite3.connect(path)
((call function: (attribute object: (_) @_receiver attribute: (identifier) @_name)) @io.database
  (#match? @_receiver "(^|\\.)_?(cursor|cur|conn|connection|db|database|session|engine|tx|transaction)$")
  (#any-of? @_name "execute" "executemany" "executescript" "commit" "rollback" "fetchone" "fetchall"))
((call function: (attribute object: (identifier) @_module attribute: (identifier) @_name)) @io.database
  (#any-of? @_module "sqlite3" "psycopg" "psycopg2" "pymysql" "MySQLdb" "asyncpg")
  (#eq? @_name "connect"))
