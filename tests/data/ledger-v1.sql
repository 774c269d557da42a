-- The ledger photosheet 0.1.0 (commit 89d03c3) wrote for
-- render --roster samples/roster.csv --profile lab-rgb.icc --format pdf,
-- paths replaced by @SAMPLES@, @PROFILES@ and @OUT@ (tests/test-pipeline.c).
PRAGMA user_version = 1;
BEGIN TRANSACTION;
CREATE TABLE batches (  id INTEGER PRIMARY KEY,  key TEXT NOT NULL UNIQUE,  out_dir TEXT NOT NULL,  roster_path TEXT,  roster_sha256 TEXT,  layout_name TEXT,  layout_text TEXT,  profile_path TEXT,  profile_sha256 TEXT,  intent INTEGER NOT NULL,  bpc INTEGER NOT NULL,  dpi INTEGER NOT NULL,  ord INTEGER NOT NULL,  formats INTEGER NOT NULL,  engine_version TEXT,  created_at TEXT NOT NULL,  updated_at TEXT NOT NULL);
INSERT INTO "batches" VALUES(1,'efd49d8b4164e7edbb78449950baeb0292e2341a6a3df82bc9b711cca293a350','@OUT@','@SAMPLES@/roster.csv','bf08c276e9f0512b1046f8a77a0ca429104d1d73ae890f6c215c2cf4b00a05d0','default','# The default layout: the same content as 6inch-33x48.ini (keep the two identical;
# tests/test-layout.c checks that they give the same geometry).
# Computed: 2 columns x 2 rows = 4 copies per sheet.  Keys: layouts/README.md.

[sheet]
description=6寸 4x6 in, 4 copies of 33 x 48 mm with name and 学号 under each
width_mm=101.6
height_mm=152.4
orientation=portrait
margin_mm=3
dpi=300
media=na_index-4x6_4x6in
reprint_mark_mm=3

[photo]
width_mm=33
height_mm=48
crop=cover
columns=auto
rows=auto
gap_x_mm=4
gap_y_mm=4
copies=auto
caption_fields=xm,xh
caption_height_mm=4
caption_font=Noto Sans CJK SC, HanaMinA, HanaMinB
caption_size_max_pt=7
caption_size_min_pt=5

[caption]
fields=sjc,cjm,yxdm,zjhm,xh,cc,xllb,xm,bh
labels=true
height_mm=16
gap_mm=2
position=bottom
font=Noto Sans CJK SC, HanaMinA, HanaMinB
size_max_pt=8
size_min_pt=5

[marks]
cut_marks=true
length_mm=2
offset_mm=1
line_width_pt=0.25

[separator]
title_font=Noto Sans CJK SC, HanaMinA, HanaMinB
title_size_max_pt=28
title_size_min_pt=12
text_font=Noto Sans CJK SC, HanaMinA, HanaMinB
text_size_max_pt=10
text_size_min_pt=6
tab_width_mm=6
tab_height_mm=12
tab_steps=8
','@PROFILES@/lab-rgb.icc','7cc1bcace7cf56f0cec3ce36f1216039e52cf988c5f5a351517d1528b040385c',1,1,300,0,1,'0.1.0','2026-12-01T09:06:42.768997Z','2026-12-01T09:06:42.768997Z');
CREATE TABLE classes (  batch_id INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,  idx INTEGER NOT NULL,  name TEXT NOT NULL,  yxdm TEXT,  PRIMARY KEY (batch_id, idx));
INSERT INTO "classes" VALUES(1,0,'机械设计制造及其自动化2班','10294');
INSERT INTO "classes" VALUES(1,1,'计算机科学与技术软工三班','10294');
INSERT INTO "classes" VALUES(1,2,'护理学（专升本）1班','10294');
INSERT INTO "classes" VALUES(1,3,'汉语言文学2101班','10294');
CREATE TABLE job_events (  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,  at TEXT NOT NULL,  state TEXT NOT NULL,  reason TEXT);
CREATE TABLE job_pages (  job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,  page_number INTEGER NOT NULL,  PRIMARY KEY (job_id, page_number));
CREATE TABLE jobs (  id INTEGER PRIMARY KEY,  batch_id INTEGER NOT NULL REFERENCES batches (id),  printer TEXT NOT NULL,  name TEXT NOT NULL UNIQUE,  cups_id INTEGER NOT NULL DEFAULT 0,  state TEXT NOT NULL,  reason TEXT,  created_at TEXT NOT NULL,  updated_at TEXT NOT NULL);
CREATE TABLE pages (  batch_id INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,  number INTEGER NOT NULL,  kind TEXT NOT NULL CHECK (kind IN ('separator', 'sheet')),  class_idx INTEGER NOT NULL,  student_id INTEGER REFERENCES students (id),  seq INTEGER NOT NULL,  copies INTEGER NOT NULL,  sheet INTEGER NOT NULL,  n_sheets INTEGER NOT NULL,  sha256 TEXT,  PRIMARY KEY (batch_id, number));
INSERT INTO "pages" VALUES(1,1,'separator',0,NULL,0,0,0,0,NULL);
INSERT INTO "pages" VALUES(1,2,'sheet',0,1,1,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,3,'sheet',0,2,2,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,4,'sheet',0,3,3,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,5,'sheet',0,4,4,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,6,'sheet',0,5,5,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,7,'sheet',0,6,6,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,8,'sheet',0,7,7,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,9,'sheet',0,8,8,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,10,'sheet',0,9,9,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,11,'separator',1,NULL,0,0,0,0,NULL);
INSERT INTO "pages" VALUES(1,12,'sheet',1,10,1,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,13,'sheet',1,11,2,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,14,'sheet',1,12,3,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,15,'sheet',1,13,4,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,16,'sheet',1,14,5,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,17,'sheet',1,15,6,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,18,'sheet',1,16,7,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,19,'sheet',1,17,8,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,20,'sheet',1,18,9,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,21,'sheet',1,19,10,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,22,'separator',2,NULL,0,0,0,0,NULL);
INSERT INTO "pages" VALUES(1,23,'sheet',2,20,1,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,24,'sheet',2,21,2,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,25,'sheet',2,22,3,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,26,'sheet',2,23,4,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,27,'sheet',2,24,5,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,28,'sheet',2,25,6,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,29,'sheet',2,26,7,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,30,'sheet',2,27,8,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,31,'separator',3,NULL,0,0,0,0,NULL);
INSERT INTO "pages" VALUES(1,32,'sheet',3,28,1,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,33,'sheet',3,29,2,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,34,'sheet',3,30,3,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,35,'sheet',3,31,4,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,36,'sheet',3,32,5,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,37,'sheet',3,33,6,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,38,'sheet',3,34,7,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,39,'sheet',3,35,8,4,1,1,NULL);
INSERT INTO "pages" VALUES(1,40,'sheet',3,36,9,4,1,1,NULL);
CREATE TABLE reprints (  id INTEGER PRIMARY KEY,  batch_id INTEGER NOT NULL REFERENCES batches (id),  student_id INTEGER NOT NULL REFERENCES students (id),  at TEXT NOT NULL,  reason TEXT,  out_path TEXT,  job_id INTEGER REFERENCES jobs (id));
CREATE TABLE students (  id INTEGER PRIMARY KEY,  batch_id INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,  ord INTEGER NOT NULL,  class_idx INTEGER NOT NULL,  row INTEGER NOT NULL,  sjc TEXT, cjm TEXT, yxdm TEXT, id_last4 TEXT, xh TEXT, cc TEXT, xllb TEXT,  name_masked TEXT, bh TEXT, fy TEXT, copies TEXT, priority TEXT,  photo_path TEXT,  photo_sha256 TEXT,  UNIQUE (batch_id, ord),  FOREIGN KEY (batch_id, class_idx) REFERENCES classes (batch_id, idx));
INSERT INTO "students" VALUES(1,1,0,0,2,'1720057954869','VDDcGDN38UAWTggP','10294','5317','202131104215101','本科','普通全日制','赵**军','机械设计制造及其自动化2班','机电工程学院',NULL,NULL,'@SAMPLES@/photos/VDDcGDN38UAWTggP.jpg','202249acc613daba43be830050520cdc8b62122a86496b0a0d1b365e4093f75f');
INSERT INTO "students" VALUES(2,1,1,0,10,'1718766087061','Jkuujimkay4nVbTw','10294','9957','202131104215102','本科','普通全日制','黄**平','机械设计制造及其自动化2班','机电工程学院',NULL,NULL,'@SAMPLES@/photos/Jkuujimkay4nVbTw.jpg','2e77199fe57c2fe5179913e3401a0f154eb98559e144faeff2f0786050757a06');
INSERT INTO "students" VALUES(3,1,2,0,12,'1722158107647','XATYkVUKLJPwKzQ9','10294','2638','202131104215103','本科','普通全日制','胡**艳','机械设计制造及其自动化2班','机电工程学院',NULL,NULL,'@SAMPLES@/photos/XATYkVUKLJPwKzQ9.jpg','f76a0b794c35b63842c3c069ed66580cc7b955ab30ac93393afd0d9b92e41bc2');
INSERT INTO "students" VALUES(4,1,3,0,13,'1718811824200','UekjTANi3YbqvMFT','10294','9889','202131104215104','本科','普通全日制','孙**杰','机械设计制造及其自动化2班','机电工程学院',NULL,NULL,'@SAMPLES@/photos/UekjTANi3YbqvMFT.jpg','0a39eeca634f79b84c8dd42dc6da5c215b3c9e1fdbb21b8c714201c27bdcabb7');
INSERT INTO "students" VALUES(5,1,4,0,16,'1719604241817','mQGAGfnBAgG3Y5Fu','10294','7097','202131104215105','本科','普通全日制','刘*桂','机械设计制造及其自动化2班','机电工程学院',NULL,NULL,'@SAMPLES@/photos/mQGAGfnBAgG3Y5Fu.jpg','5c3031a4ceea8116fa872db9c9873a050aa4b600886fd0196e9e55f725324c0f');
INSERT INTO "students" VALUES(6,1,5,0,25,'1719558025283','qhvXYzU8SgnBu2cw','10294','9942','202131104215106','本科','普通全日制','黄*','机械设计制造及其自动化2班','机电工程学院',NULL,NULL,'@SAMPLES@/photos/qhvXYzU8SgnBu2cw.jpg','3485322e82089bb1da3b4988658ff1ab49c6fa7369a89615b9e10ead08984a6d');
INSERT INTO "students" VALUES(7,1,6,0,30,'1716302080525','JGnzjJKgyFY6qECu','10294','3190','202131104215107','本科','普通全日制','张**桂','机械设计制造及其自动化2班','机电工程学院',NULL,NULL,'@SAMPLES@/photos/JGnzjJKgyFY6qECu.jpg','7bdaf3a8430374991f4f5052f88c87f456fe546611821ff1433e7571e471789b');
INSERT INTO "students" VALUES(8,1,7,0,32,'1723343233041','WTNkDKHV4x3qvUwu','10294','6235','202131104215108','本科','普通全日制','赵*磊','机械设计制造及其自动化2班','机电工程学院',NULL,NULL,'@SAMPLES@/photos/WTNkDKHV4x3qvUwu.jpg','dbdfd1d066e8f8fdff0577aeca9945a02efcbb72b4bcf10eb9c60d399c413a06');
INSERT INTO "students" VALUES(9,1,8,0,35,'1720655430484','GVJPM7wLRy3KQkjd','10294','8693','202131104215109','本科','普通全日制','罗**平','机械设计制造及其自动化2班','机电工程学院',NULL,NULL,'@SAMPLES@/photos/GVJPM7wLRy3KQkjd.jpg','a1ca1dc75bdabdbdd48fbcb5ac73dd99e218c40e6d7fffd6045638c5397c226d');
INSERT INTO "students" VALUES(10,1,9,1,3,'1724382794830','nY9sA2faakD4Z2fU','10294','9772','202111104215101','本科','普通全日制','赵**刚','计算机科学与技术软工三班','计算机与信息学院',NULL,NULL,'@SAMPLES@/photos/nY9sA2faakD4Z2fU.jpg','21433cf6f15093d3dac3d3ad579cdfbe2fb780f7956e26e3878e011980d234b5');
INSERT INTO "students" VALUES(11,1,10,1,8,'1720906161630','x6BHHHRYDNPWpgSe','10294','180X','202111104215102','本科','普通全日制','杨*平','计算机科学与技术软工三班','计算机与信息学院',NULL,NULL,'@SAMPLES@/photos/x6BHHHRYDNPWpgSe.jpg','856ca2a67d6d834f97c63961e09581291a84397d0b979d696989d05132d926d9');
INSERT INTO "students" VALUES(12,1,11,1,11,'1718739957980','CMRHf7eWpTjMqPhf','10294','0558','202111104215103','本科','普通全日制','徐*静','计算机科学与技术软工三班','计算机与信息学院',NULL,NULL,'@SAMPLES@/photos/CMRHf7eWpTjMqPhf.jpg','b98983f23a34cf3787fa8e482de0d46d72f5139d792a0a9bf5d45199639e1a74');
INSERT INTO "students" VALUES(13,1,12,1,17,'1724749499298','8sXjKjhhBR2g3me5','10294','8217','202111104215104','本科','普通全日制','马*','计算机科学与技术软工三班','计算机与信息学院',NULL,NULL,'@SAMPLES@/photos/8sXjKjhhBR2g3me5.jpg','0c87392845310f9ffd9eb88aa466f9162a3773bcf33660d6b4d1d43d632aeba2');
INSERT INTO "students" VALUES(14,1,13,1,20,'1725305677089','52jy2rQ7KMqJHEP3','10294','4042','202111104215105','本科','普通全日制','陈*','计算机科学与技术软工三班','计算机与信息学院',NULL,NULL,'@SAMPLES@/photos/52jy2rQ7KMqJHEP3.jpg','0573995dd9124cf2d0326e385fbc2a15fcbf9b854b1c849138d2157e671ecf40');
INSERT INTO "students" VALUES(15,1,14,1,23,'1723772728566','5Un4b3UqKSDFBCYZ','10294','1100','202111104215106','本科','普通全日制','吴*磊','计算机科学与技术软工三班','计算机与信息学院',NULL,NULL,'@SAMPLES@/photos/5Un4b3UqKSDFBCYZ.jpg','93a34146e1d9081d773c8c4a6c9620fdedaae03ad8798b218b4038dc0af24024');
INSERT INTO "students" VALUES(16,1,15,1,28,'1716732942069','y83ZEB3feCHWz6fW','10294','368X','202111104215107','本科','普通全日制','朱**芳','计算机科学与技术软工三班','计算机与信息学院',NULL,NULL,'@SAMPLES@/photos/y83ZEB3feCHWz6fW.jpg','84c4c5762d343304d1be20cd5e7c52393c9ddabdc374d0a158a739b0a89bf897');
INSERT INTO "students" VALUES(17,1,16,1,29,'1718863856085','b7Vbp3J4TQLLbRAX','10294','0298','202111104215108','本科','普通全日制','郭*','计算机科学与技术软工三班','计算机与信息学院',NULL,NULL,'@SAMPLES@/photos/b7Vbp3J4TQLLbRAX.jpg','9199eb1b9425708ca6c687b00574d253419dd27c7e0ca5f82d57841680d5311f');
INSERT INTO "students" VALUES(18,1,17,1,33,'1723310721142','BZtggyMzuZjivNqL','10294','6958','202111104215109','本科','普通全日制','王*霞','计算机科学与技术软工三班','计算机与信息学院',NULL,NULL,'@SAMPLES@/photos/BZtggyMzuZjivNqL.jpg','1b7edefd77c9d63b30da43779ec631674da9afb29db4cb45086d98a1cd997d05');
INSERT INTO "students" VALUES(19,1,18,1,34,'1723000077111','DqvjsrF87SH4Nfuk','10294','2979','202111104215110','本科','普通全日制','朱**平','计算机科学与技术软工三班','计算机与信息学院',NULL,NULL,'@SAMPLES@/photos/DqvjsrF87SH4Nfuk.jpg','9b4e8c495bdbde17377223f91212ae105830c649b960d5f28798d70a25a5c4dc');
INSERT INTO "students" VALUES(20,1,19,2,4,'1716465436828','Cg9Qgmm37QaqAhXP','10294','7653','202141104215101','专科','成人教育','吴*芳','护理学（专升本）1班','医学院',NULL,NULL,'@SAMPLES@/photos/Cg9Qgmm37QaqAhXP.jpg','740aef80d8a92876531f223ade26d44b9813ce78fabc65dca706aa9ff1f1cc23');
INSERT INTO "students" VALUES(21,1,20,2,7,'1724097166835','pKic6PkuQe2zitSB','10294','6630','202141104215102','专科','成人教育','唐*杰','护理学（专升本）1班','医学院',NULL,NULL,'@SAMPLES@/photos/pKic6PkuQe2zitSB.jpg','37d090c9fdc1323b9ddcdd2a276cb0f36f0ff9a4e7fd5c8d7fdaeb86e39cfcc8');
INSERT INTO "students" VALUES(22,1,21,2,9,'1720343770238','yNB3b49E3Y4fBixQ','10294','8732','202141104215103','专科','成人教育','买****力','护理学（专升本）1班','医学院',NULL,NULL,'@SAMPLES@/photos/yNB3b49E3Y4fBixQ.jpg','8e65dd36f3113b55acac8da653d52a8875b756c2d63207001855dbd670e92a95');
INSERT INTO "students" VALUES(23,1,22,2,19,'1719383876630','rz97EwKgHMAFB6Ve','10294','9670','202141104215104','专科','成人教育','赵**静','护理学（专升本）1班','医学院',NULL,NULL,'@SAMPLES@/photos/rz97EwKgHMAFB6Ve.jpg','b63bf31ac6e15bb87b074894c1f352b4c599d09f94e83ac4f223085ef974df4e');
INSERT INTO "students" VALUES(24,1,23,2,22,'1718411237588','WmPijMpd9Ky9TfJy','10294','7821','202141104215105','专科','成人教育','梁*','护理学（专升本）1班','医学院',NULL,NULL,'@SAMPLES@/photos/WmPijMpd9Ky9TfJy.jpg','3e2a161749fe4f1a4c6604024c99e9744c375ff6bb259345a314c7a722b04e3d');
INSERT INTO "students" VALUES(25,1,24,2,24,'1719581138905','mhUS38Le9g9JsBFV','10294','5538','202141104215106','专科','成人教育','张*杰','护理学（专升本）1班','医学院',NULL,NULL,'@SAMPLES@/photos/mhUS38Le9g9JsBFV.jpg','a46d5ae0096d7dd5a8de47a021d77b2adae8ed838d1e5c424ae068b259c86df5');
INSERT INTO "students" VALUES(26,1,25,2,26,'1720693187335','6A5xZ9St9LiRUiRp','10294','8537','202141104215107','专科','成人教育','黄*艳','护理学（专升本）1班','医学院',NULL,NULL,'@SAMPLES@/photos/6A5xZ9St9LiRUiRp.jpg','d9aaa40fa5a6ad4cf576fe9781d78d02c9cd7673952fd5c6154be8a6e479c679');
INSERT INTO "students" VALUES(27,1,26,2,37,'1721471220559','pJk2WUN6u2Mfj9NK','10294','9858','202141104215108','专科','成人教育','王*','护理学（专升本）1班','医学院',NULL,NULL,'@SAMPLES@/photos/pJk2WUN6u2Mfj9NK.jpg','b0152a233923d3f210ff3f00836e7634257448c45e53640f55e9c93996dd23a2');
INSERT INTO "students" VALUES(28,1,27,3,5,'1722968388655','wsGUvWu4W4eUVuxW','10294','3289','202121104215101','本科','普通全日制','𠮷*家','汉语言文学2101班','文学院',NULL,NULL,'@SAMPLES@/photos/wsGUvWu4W4eUVuxW.jpg','fcd7e32783067d9297049b1da297421ec2aab7eaef862fad987b55f476cb0077');
INSERT INTO "students" VALUES(29,1,28,3,6,'1724912822301','iTxhHZHAXdxQwQ8k','10294','5891','202121104215102','本科','普通全日制','杨*霞','汉语言文学2101班','文学院',NULL,NULL,'@SAMPLES@/photos/iTxhHZHAXdxQwQ8k.jpg','cd626efd8038d0ad27ad8d139d5824689f17ce15049cf7213cf44a9b496e51ab');
INSERT INTO "students" VALUES(30,1,29,3,14,'1721053441584','EhUh2dzk7cQEwFJn','10294','7665','202121104215103','本科','普通全日制','欧**娜','汉语言文学2101班','文学院',NULL,NULL,'@SAMPLES@/photos/EhUh2dzk7cQEwFJn.jpg','7e346677d5f2422bdbf7025874428904284f4365a064deb885260a3d58275017');
INSERT INTO "students" VALUES(31,1,30,3,15,'1722617334714','udELYNwYL7bigZEd','10294','2254','202121104215104','本科','普通全日制','陈*','汉语言文学2101班','文学院',NULL,NULL,'@SAMPLES@/photos/udELYNwYL7bigZEd.jpg','1cddb2bbf994725bae8baf6e0290048f0165e6f1139fb9001b82e54b8058a8a0');
INSERT INTO "students" VALUES(32,1,31,3,18,'1724397159865','HHgZbkRkuFVCAUXN','10294','7775','202121104215105','本科','普通全日制','周*明','汉语言文学2101班','文学院',NULL,NULL,'@SAMPLES@/photos/HHgZbkRkuFVCAUXN.jpg','78ecf2ee50afe0959b38d242ee4ce203a0fabb92e273643e8bf0b9449ab5cc64');
INSERT INTO "students" VALUES(33,1,32,3,21,'1719125243480','5STg8PD8Ees8362y','10294','5590','202121104215106','本科','普通全日制','梁*娜','汉语言文学2101班','文学院',NULL,NULL,'@SAMPLES@/photos/5STg8PD8Ees8362y.jpg','3285b0a12287d3af01e1559cd6de858f5739bb5e485ad8c1308bf78084d64546');
INSERT INTO "students" VALUES(34,1,33,3,27,'1721908138721','Zs5RMeNsTLfVuJnQ','10294','3417','202121104215107','本科','普通全日制','罗**平','汉语言文学2101班','文学院',NULL,NULL,'@SAMPLES@/photos/Zs5RMeNsTLfVuJnQ.jpg','d2cfff43000c8cfa5d07ec3c130f643fbf54e179a9257e8725a907e7bd877a8b');
INSERT INTO "students" VALUES(35,1,34,3,31,'1725475138537','FwBXqR9KFCfWbHrr','10294','4970','202121104215108','本科','普通全日制','谢*伟','汉语言文学2101班','文学院',NULL,NULL,'@SAMPLES@/photos/FwBXqR9KFCfWbHrr.jpg','09d2c0c7ffbdb9d231ad94cb522cdffa8ac04deee27c319170fdb8759aa9ad9f');
INSERT INTO "students" VALUES(36,1,35,3,36,'1724152553560','xLiLziWdU3mDFzYZ','10294','1916','202121104215109','本科','普通全日制','林**英','汉语言文学2101班','文学院',NULL,NULL,'@SAMPLES@/photos/xLiLziWdU3mDFzYZ.jpg','a4f1fc872d3e0f43b5b39fb2c4d1fa6044ec3e8f40780bbbf5cb02fe3b864d2f');
CREATE INDEX batches_out_dir ON batches (out_dir);
CREATE INDEX students_xh ON students (xh);
CREATE INDEX students_cjm ON students (cjm);
CREATE INDEX students_yxdm_id ON students (yxdm, id_last4);
CREATE INDEX jobs_batch ON jobs (batch_id);
CREATE INDEX job_pages_page ON job_pages (page_number);
CREATE INDEX job_events_job ON job_events (job_id);
CREATE INDEX reprints_batch ON reprints (batch_id);
COMMIT;
